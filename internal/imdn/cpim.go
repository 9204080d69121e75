package imdn

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Content types of the bodies.
const (
	CPIMType         = "message/cpim"
	NotificationType = "message/imdn+xml"
	TextType         = "text/plain;charset=UTF-8"
)

// The namespace of the IMDN header fields, which a CPIM envelope declares with its
// prefix in an NS field ("NS: imdn <urn:ietf:params:imdn>").
const headerNS = "urn:ietf:params:imdn"

// The Disposition-Notification values (RFC 5438 section 6.2): a delivery
// notification of success, one of failure, and a display notification.
const (
	DeliveryRequest         = "positive-delivery"
	NegativeDeliveryRequest = "negative-delivery"
	DisplayRequest          = "display"
)

// Envelope is a CPIM message (RFC 3862): its message headers, of which the IMDN
// ones (RFC 5438 section 6), and its content.
type Envelope struct {
	From, To  string    // the sender's and the recipient's URI
	DateTime  time.Time // when it was sent
	MessageID string    // imdn.Message-ID: the message's id, unique to its sender
	// Notify are the notifications the sender asks for (imdn.Disposition-Notification):
	// "positive-delivery", "negative-delivery", "display".
	Notify []string
	// Disposition is the content's Content-Disposition: "notification" for an IMDN.
	Disposition string
	ContentType string // the content's type: TextType or NotificationType
	Body        []byte
}

// Asks reports whether the envelope asks for the notification named kind.
func (e Envelope) Asks(kind string) bool {
	for _, n := range e.Notify {
		if strings.EqualFold(n, kind) {
			return true
		}
	}
	return false
}

// ErrBadCPIM reports a body that is no CPIM message.
var ErrBadCPIM = errors.New("imdn: bad CPIM message")

// Marshal writes the envelope as a message/cpim body.
func (e Envelope) Marshal() []byte {
	var b bytes.Buffer
	field := func(name, value string) {
		if value != "" {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	field("From", angle(e.From))
	field("To", angle(e.To))
	b.WriteString("NS: imdn <" + headerNS + ">\r\n")
	field("imdn.Message-ID", e.MessageID)
	if !e.DateTime.IsZero() {
		field("DateTime", e.DateTime.Format(time.RFC3339Nano))
	}
	field("imdn.Disposition-Notification", strings.Join(e.Notify, ", "))
	b.WriteString("\r\n")
	field("Content-Type", e.ContentType)
	field("Content-Disposition", e.Disposition)
	field("Content-Length", strconv.Itoa(len(e.Body)))
	b.WriteString("\r\n")
	b.Write(e.Body)
	return b.Bytes()
}

// angle puts a URI in angle brackets, as CPIM's From and To carry it.
func angle(uri string) string {
	if uri == "" || strings.HasPrefix(uri, "<") {
		return uri
	}
	return "<" + uri + ">"
}

// Parse reads a message/cpim body: the message headers, a blank line, the content
// headers, a blank line and the content. Lines end in CRLF or LF. The IMDN fields
// are found by the prefix the envelope's NS field gives their namespace.
func Parse(body []byte) (Envelope, error) {
	msgHeaders, rest, ok := cutHeaders(body)
	if !ok {
		return Envelope{}, fmt.Errorf("%w: no end of its message headers", ErrBadCPIM)
	}
	contentHeaders, content, ok := cutHeaders(rest)
	if !ok {
		return Envelope{}, fmt.Errorf("%w: no end of its content headers", ErrBadCPIM)
	}
	var e Envelope
	prefix := "" // the IMDN namespace's prefix, once an NS field names it
	fields := headerFields(msgHeaders)
	for _, f := range fields {
		if strings.EqualFold(f.name, "NS") {
			if p, uri, ok := strings.Cut(f.value, "<"); ok && strings.TrimSuffix(strings.TrimSpace(uri), ">") == headerNS {
				prefix = strings.TrimSpace(p)
			}
		}
	}
	for _, f := range fields {
		switch name := strings.ToLower(f.name); {
		case name == "from":
			e.From = bareURI(f.value)
		case name == "to":
			e.To = bareURI(f.value)
		case name == "datetime":
			e.DateTime, _ = time.Parse(time.RFC3339Nano, f.value) // a bad one is no time
		case prefix != "" && name == strings.ToLower(prefix)+".message-id":
			e.MessageID = f.value
		case prefix != "" && name == strings.ToLower(prefix)+".disposition-notification":
			for _, n := range strings.Split(f.value, ",") {
				if n = strings.TrimSpace(n); n != "" {
					e.Notify = append(e.Notify, n)
				}
			}
		}
	}
	for _, f := range headerFields(contentHeaders) {
		switch strings.ToLower(f.name) {
		case "content-type":
			e.ContentType = f.value
		case "content-disposition":
			e.Disposition = f.value
		}
	}
	if e.ContentType == "" {
		return Envelope{}, fmt.Errorf("%w: no Content-Type", ErrBadCPIM)
	}
	e.Body = content
	return e, nil
}

// cutHeaders splits b at its first blank line, CRLF or LF: the header lines before
// it, and what follows. ok is false when there is none.
func cutHeaders(b []byte) (headers string, rest []byte, ok bool) {
	i, n := bytes.Index(b, []byte("\r\n\r\n")), 4
	if j := bytes.Index(b, []byte("\n\n")); j >= 0 && (i < 0 || j < i) {
		i, n = j, 2
	}
	if i < 0 {
		return "", nil, false
	}
	return string(b[:i]), b[i+n:], true
}

// field is one header line.
type field struct{ name, value string }

// headerFields reads "Name: value" lines; others are skipped.
func headerFields(headers string) []field {
	var out []field
	for _, line := range strings.Split(headers, "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok || strings.TrimSpace(name) == "" {
			continue
		}
		out = append(out, field{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return out
}

// bareURI is the URI of a CPIM From or To, "Name <uri>": without the name and the
// angle brackets.
func bareURI(v string) string {
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	return strings.TrimSpace(v)
}
