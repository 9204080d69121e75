package sipstack

import (
	"bytes"
	"strings"
)

// sipgo reads the parameters of From and To only where no white space surrounds
// their ";" and "=", which RFC 3261 allows (its LWS and SWS around SEMI and EQUAL):
// the tag of RFC 4475's wsinv ("  ;\r\n  tag = 98asjd8") would be lost, and the
// INVITE refused for having none. tidyAddresses writes those two headers again,
// unfolded and without that white space, before sipgo parses the request; every
// other byte stays as it came.
//
// A From without a tag (RFC 2543 elements send none: RFC 4475's inv2543) gets an
// empty one, ";tag=": sipgo keys no transaction and no dialog without it. RFC 3261
// section 12.2.2 reads a missing tag as a null one, which an empty tag is: the
// caller's later requests, tagless too, get the same and find their dialog by the
// Call-ID and our tag. sipgo writes the empty tag back as a bare ";tag", which no
// RFC 3261 tag is; untidy takes it off what we send, so that our answers carry the
// From as it came.

// tidyAddresses returns the request in data with its From and To headers tidied,
// or data itself when they need nothing.
func tidyAddresses(data []byte) []byte {
	if _, isRequest := startLine(data); !isRequest {
		return data
	}
	head, body, found := bytes.Cut(data, endOfHeaders)
	if !found {
		return data
	}
	lines := strings.Split(string(head), "\r\n")
	out := lines[:1:1]
	changed := false
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isAddressHeader(name) {
			out = append(out, line)
			continue
		}
		for i+1 < len(lines) && lines[i+1] != "" && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
			i++
			value += " " + lines[i]
		}
		value = squeeze(value)
		if isFrom(name) && !hasTag(value) {
			value += ";tag="
		}
		tidied := strings.TrimRight(name, " \t") + ": " + value
		changed = changed || tidied != line
		out = append(out, tidied)
	}
	if !changed {
		return data
	}
	tidy := []byte(strings.Join(out, "\r\n"))
	return append(append(tidy, endOfHeaders...), body...)
}

func isFrom(name string) bool {
	n := strings.ToLower(strings.TrimRight(name, " \t"))
	return n == "from" || n == "f"
}

// hasTag reports a tag parameter in a squeezed From or To value.
func hasTag(v string) bool {
	if i := strings.LastIndexByte(v, '>'); i >= 0 {
		v = v[i:]
	}
	for _, p := range strings.Split(v, ";")[1:] {
		k, _, _ := strings.Cut(p, "=")
		if strings.EqualFold(k, "tag") {
			return true
		}
	}
	return false
}

func isAddressHeader(name string) bool {
	switch strings.ToLower(strings.TrimRight(name, " \t")) {
	case "from", "f", "to", "t":
		return true
	}
	return false
}

// squeeze trims v and removes the white space around ";" and "=" outside quoted
// strings and angle brackets.
func squeeze(v string) string {
	var b strings.Builder
	inQuote, escaped, inAngle := false, false, false
	pending := false // white space seen and not yet written
	for i := 0; i < len(v); i++ {
		c := v[i]
		free := !inQuote && !inAngle
		if free && (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			pending = true
			continue
		}
		if pending {
			prev := byte(0)
			if s := b.String(); s != "" {
				prev = s[len(s)-1]
			}
			if !(free && (c == ';' || c == '=')) && prev != ';' && prev != '=' && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pending = false
		}
		b.WriteByte(c)
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case c == '<' && !inQuote:
			inAngle = true
		case c == '>' && !inQuote:
			inAngle = false
		}
	}
	return b.String()
}

// untidy returns the message in data with a bare ";tag" taken off its From, or
// data itself when it has none.
func untidy(data []byte) []byte {
	head, body, found := bytes.Cut(data, endOfHeaders)
	if !found || !bytes.Contains(head, []byte(";tag")) {
		return data
	}
	lines := strings.Split(string(head), "\r\n")
	for i, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isFrom(name) {
			continue
		}
		addr, params := value, ""
		if j := strings.LastIndexByte(value, '>'); j >= 0 {
			addr, params = value[:j+1], value[j+1:]
		}
		kept := []string{}
		for _, p := range strings.Split(params, ";")[1:] {
			if !strings.EqualFold(strings.TrimSpace(p), "tag") {
				kept = append(kept, p)
			}
		}
		if len(kept) == strings.Count(params, ";") {
			return data
		}
		lines[i+1] = name + ":" + addr + strings.Join(append([]string{""}, kept...), ";")
		out := []byte(strings.Join(lines, "\r\n"))
		return append(append(out, endOfHeaders...), body...)
	}
	return data
}
