package sipstack

import (
	"bytes"
	"strconv"
	"strings"
)

// The door's strict reading of a request, before sipgo parses it. sipgo is liberal:
// it takes a Request-Line with two spaces or a trailing one, a second Content-Length
// or CSeq, a CSeq naming another method; and where it does refuse (a URI scheme it
// does not know, an unquoted display name with a comma), it drops the datagram in
// silence. RFC 4475 asks for an answer: 400 Bad Request with the reason, 505 for a
// SIP version other than 2.0, 416 for a Request-URI scheme we do not serve. This
// file finds those faults in the bytes as they came; the door answers them
// statelessly, as sipgo would have no transaction to answer from.
//
// It reads only the Request-Line and the headers that name the request and its
// dialog (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length): a request
// without one of the five that every request carries (RFC 3261 section 8.1.1;
// Max-Forwards aside, which older elements leave out) is refused too, RFC 4475's
// insuf among them.

// fault is why a request is refused: a status code and its reason phrase.
type fault struct {
	code   int
	reason string
}

// servedScheme reports whether we serve a Request-URI scheme, in lower case.
func servedScheme(lower string) bool {
	return lower == "sip" || lower == "sips" || lower == "tel"
}

// singleHeader returns the full name of a header a request may carry once only
// (RFC 3261 section 7.3.1: it takes no comma-separated list), given its full or
// compact name in lower case. (A switch, not a map: a map is built at every start
// of the engine.)
func singleHeader(lower string) (full string, ok bool) {
	switch lower {
	case "from", "f":
		return "From", true
	case "to", "t":
		return "To", true
	case "call-id", "i":
		return "Call-ID", true
	case "cseq":
		return "CSeq", true
	case "max-forwards":
		return "Max-Forwards", true
	case "content-length", "l":
		return "Content-Length", true
	case "content-type", "c":
		return "Content-Type", true
	}
	return "", false
}

// requiredHeaders are the headers without which no request is read (RFC 3261
// section 8.1.1), in the order their absence is told.
var requiredHeaders = []string{"Via", "From", "To", "Call-ID", "CSeq"}

// maxCSeq is the largest CSeq sequence number (RFC 3261 section 8.1.1.5: 2**31 - 1).
const maxCSeq = 1<<31 - 1

// inspect returns the fault of the request in data, nil when the door finds none.
// reliable tells a stream's message (its length is its Content-Length's) from a
// datagram (whose body must hold the Content-Length it announces).
func inspect(data []byte, reliable bool) *fault {
	head, body, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	method, f := requestLine(string(line))
	if f != nil {
		return f
	}
	headers, f := unfold(rest)
	if f != nil {
		return f
	}
	seen := map[string]string{}
	for _, h := range headers {
		name := canonicalName(h.name)
		if single, ok := singleHeader(strings.ToLower(h.name)); ok {
			if _, twice := seen[single]; twice {
				return &fault{400, "Bad Request (more than one " + single + ")"}
			}
			name = single
		}
		if _, ok := seen[name]; !ok {
			seen[name] = h.value // the topmost Via
		}
	}
	for _, name := range requiredHeaders {
		if _, ok := seen[name]; !ok {
			return &fault{400, "Bad Request (missing " + name + ")"}
		}
	}
	if v, ok := seen["CSeq"]; ok {
		if f := checkCSeq(v, method); f != nil {
			return f
		}
	}
	if v, ok := seen["Max-Forwards"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 255 {
			return &fault{400, "Bad Request (Max-Forwards)"}
		}
	}
	if _, ok := seen["Content-Length"]; !ok && reliable {
		// The length frames a stream's messages (RFC 3261 section 20.14).
		return &fault{400, "Bad Request (missing Content-Length)"}
	}
	if v, ok := seen["Content-Length"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || strings.HasPrefix(v, "+") {
			return &fault{400, "Bad Request (Content-Length)"}
		}
		if !reliable && n > len(body) {
			return &fault{400, "Bad Request (Content-Length beyond the datagram)"}
		}
	}
	for _, name := range []string{"From", "To"} {
		if !wellFormedAddress(seen[name]) {
			return &fault{400, "Bad Request (" + name + ")"}
		}
	}
	if v, ok := seen["Via"]; ok && !wellFormedVia(v) {
		return &fault{400, "Bad Request (Via)"}
	}
	return nil
}

// requestLine checks Method SP Request-URI SP SIP-Version, with one space between
// them and none around (RFC 3261 section 7.1), and returns the method.
func requestLine(line string) (string, *fault) {
	parts := strings.Split(line, " ")
	if len(parts) != 3 || !isToken(parts[0]) || parts[1] == "" {
		return "", &fault{400, "Bad Request (Request-Line)"}
	}
	if v := parts[2]; v != "SIP/2.0" {
		if maj, min, ok := strings.Cut(strings.TrimPrefix(v, "SIP/"), "."); ok && strings.HasPrefix(v, "SIP/") && isDigits(maj) && isDigits(min) {
			return "", &fault{505, "Version Not Supported"}
		}
		return "", &fault{400, "Bad Request (SIP-Version)"}
	}
	if f := requestURI(parts[1]); f != nil {
		return "", f
	}
	return parts[0], nil
}

// requestURI checks the Request-URI: an absolute URI of a scheme we serve, a SIP
// URI without headers (which have no meaning there, RFC 3261 section 19.1.5) and
// with an IPv6 host in brackets (RFC 5118 section 4.2).
func requestURI(uri string) *fault {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !isScheme(scheme) {
		return &fault{400, "Bad Request (Request-URI)"}
	}
	if !servedScheme(strings.ToLower(scheme)) {
		return &fault{416, "Unsupported URI Scheme"}
	}
	if strings.EqualFold(scheme, "tel") {
		return nil
	}
	host := rest
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	// A user part may hold '?' (RFC 3261 section 25.1, user-unreserved); after it,
	// '?' begins headers.
	if strings.ContainsAny(rest, "<>\"") || strings.Contains(host, "?") {
		return &fault{400, "Bad Request (Request-URI)"}
	}
	if i := strings.IndexByte(host, ';'); i >= 0 {
		host = host[:i]
	}
	if !strings.HasPrefix(host, "[") && strings.Count(host, ":") > 1 {
		return &fault{400, "Bad Request (IPv6 address outside brackets)"}
	}
	return nil
}

// checkCSeq checks "number method": a number within 2**31 - 1 and the method of
// the Request-Line (RFC 3261 section 8.1.1.5).
func checkCSeq(v, method string) *fault {
	num, m, ok := strings.Cut(v, " ")
	m = strings.TrimSpace(m)
	if !ok || !isDigits(num) {
		return &fault{400, "Bad Request (CSeq)"}
	}
	if n, err := strconv.ParseUint(num, 10, 64); err != nil || n > maxCSeq {
		return &fault{400, "Bad Request (CSeq number too large)"}
	}
	if m != method {
		return &fault{400, "Bad Request (CSeq method does not match the Request-Line)"}
	}
	return nil
}

// wellFormedAddress checks the name-addr or addr-spec of From or To as far as
// sipgo does not: a display name is a quoted string or tokens (no comma), the
// quotes balance, and a URI in angle brackets has no space inside them
// (RFC 3261 section 25.1: name-addr, addr-spec).
func wellFormedAddress(v string) bool {
	inQuote, escaped := false, false
	lt := -1
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '<':
			lt = i
		case !inQuote && c == ',' && lt < 0 && strings.Contains(v[i:], "<"):
			return false // an unquoted comma in a display name
		}
		if lt >= 0 {
			break
		}
	}
	if inQuote {
		return false
	}
	if lt < 0 {
		return true
	}
	gt := strings.IndexByte(v[lt:], '>')
	if gt < 0 {
		return false
	}
	inside := v[lt+1 : lt+gt]
	return inside != "" && !strings.ContainsAny(inside, " \t")
}

// wellFormedVia checks that no Via value or parameter of the topmost Via header is
// empty (RFC 4475 badinv01: "SIP/2.0/UDP 192.0.2.15;;,;,,").
func wellFormedVia(v string) bool {
	for _, value := range strings.Split(v, ",") {
		if strings.TrimSpace(value) == "" {
			return false
		}
		params := strings.Split(value, ";")
		for _, p := range params[1:] {
			if strings.TrimSpace(p) == "" {
				return false
			}
		}
	}
	return true
}

// header is one header line, its continuation lines folded in.
type header struct{ name, value string }

// unfold splits the header lines of a message head, joining the continuation lines
// (those starting with a space or a tab) to the header they continue.
func unfold(head []byte) ([]header, *fault) {
	var hs []header
	for _, line := range strings.Split(string(head), "\r\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(hs) == 0 {
				return nil, &fault{400, "Bad Request (continuation line without header)"}
			}
			hs[len(hs)-1].value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimRight(name, " \t")
		if !ok || !isToken(name) {
			return nil, &fault{400, "Bad Request (header line)"}
		}
		hs = append(hs, header{name, strings.TrimSpace(value)})
	}
	for i := range hs {
		hs[i].value = strings.TrimSpace(hs[i].value)
	}
	return hs, nil
}

// canonicalName is the full name of a header given in compact form, else name.
func canonicalName(name string) string {
	switch strings.ToLower(name) {
	case "v", "via":
		return "Via"
	}
	if full, ok := singleHeader(strings.ToLower(name)); ok {
		return full
	}
	return name
}

// isScheme reports an RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(rune(c)) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// answeredHeaders are the headers a response copies from its request (RFC 3261
// section 8.2.6.2), in the order written.
var answeredHeaders = []string{"Via", "From", "To", "Call-ID", "CSeq"}

// refusal is the stateless answer to the malformed request in data: the status
// line of its fault and the request's Via, From, To (with a tag), Call-ID and
// CSeq as they came, unfolded. It is nil for a request without a fault. reliable
// tells a stream's message from a datagram, as for inspect.
func refusal(data []byte, reliable bool) []byte {
	f := inspect(data, reliable)
	if f == nil {
		return nil
	}
	return answerFrom(data, f.code, f.reason)
}

// answerFrom is the stateless answer with code and reason to the request whose
// headers (at least) data holds, written from its header lines as they came: it
// needs no parse, so it answers a request sipgo could not read, or one whose body
// was never held.
func answerFrom(data []byte, code int, reason string) []byte {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	_, rest, _ := bytes.Cut(head, []byte("\r\n"))
	headers, _ := unfold(rest) // nil when the header lines are the fault
	var b strings.Builder
	b.WriteString("SIP/2.0 " + strconv.Itoa(code) + " " + reason + "\r\n")
	for _, name := range answeredHeaders {
		for _, h := range headers {
			if canonicalName(h.name) != name {
				continue
			}
			v := h.value
			if name == "To" && !strings.Contains(strings.ToLower(v), "tag") {
				v += ";tag=" + newTag()
			}
			b.WriteString(name + ": " + v + "\r\n")
			if name != "Via" {
				break
			}
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String())
}
