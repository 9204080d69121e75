package presence

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Presence is what a PIDF document (RFC 3863) says of its entity, with the RPID
// activities of its person (RFC 4480).
type Presence struct {
	Entity     string   // the presentity's URI
	Basic      string   // "open", "closed", or "" when no tuple says either
	Activities []string // RPID activities, lower case: "away", "busy", "on-the-phone"...
	Note       string   // the first note, trimmed
}

// maxDepth bounds the nesting of an XML document read.
const maxDepth = 32

// ParsePIDF reads an application/pidf+xml document. Its root must be a presence
// element; one tuple that is open makes Basic open (a presentity is reachable when
// any of its devices is), else one that is closed makes it closed. A basic status
// RFC 3863 does not define (baresip sends "unknown" before its user chose one)
// counts as none.
func ParsePIDF(body []byte) (Presence, error) {
	var p Presence
	var stack []string // local names of the open elements
	rootSeen := false
	err := walkXML(body, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) == 0 {
				if name != "presence" || rootSeen {
					return fmt.Errorf("%w: PIDF root %q", ErrMalformed, name)
				}
				rootSeen = true
				p.Entity = attr(t, "entity")
			}
			if len(stack) > 0 && stack[len(stack)-1] == "activities" && name != "other" {
				p.Activities = append(p.Activities, strings.ToLower(name))
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				return nil
			}
			text := strings.TrimSpace(string(t))
			switch stack[len(stack)-1] {
			case "basic":
				// open wins over closed, closed over a value RFC 3863 does not define
				if b := strings.ToLower(text); slices.Contains(stack, "tuple") && (b == "open" || (b == "closed" && p.Basic != "open")) {
					p.Basic = b
				}
			case "note":
				if p.Note == "" {
					p.Note = text
				}
			}
		}
		return nil
	})
	if err != nil {
		return Presence{}, err
	}
	if !rootSeen {
		return Presence{}, fmt.Errorf("%w: no presence element", ErrMalformed)
	}
	return p, nil
}

// walkXML hands every token of a bounded, well-formed document to f.
func walkXML(body []byte, f func(xml.Token) error) error {
	if len(body) > maxDocument {
		return fmt.Errorf("%w: document of %d bytes", ErrMalformed, len(body))
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return fmt.Errorf("%w: unclosed element", ErrMalformed)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return fmt.Errorf("%w: a DTD or directive", ErrMalformed)
		}
		if err := f(tok); err != nil {
			return err
		}
	}
}

// attr is the value of the attribute of start with this local name, or "".
func attr(start xml.StartElement, local string) string {
	for _, a := range start.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
