package sipstack

import (
	"bytes"
)

// The door's peeks read a message's first line and one header from the bytes as
// they came, without parsing the message or copying it.

// isKeepAlive reports a CRLF or CRLFCRLF keep-alive (RFC 5626 section 3.5.1).
func isKeepAlive(data []byte) bool {
	return len(data) <= 4 && len(bytes.Trim(data, "\r\n")) == 0
}

// startLine returns the method of a request ("INVITE"), or isRequest false for a
// response or anything else that does not look like a request line.
func startLine(data []byte) (method string, isRequest bool) {
	data = bytes.TrimLeft(data, "\r\n")
	if bytes.HasPrefix(data, []byte("SIP/")) {
		return "", false
	}
	sp := bytes.IndexByte(data, ' ')
	if sp <= 0 || sp > 32 {
		return "", false
	}
	return string(data[:sp]), true
}

// callID returns the value of the Call-ID header of the message in data, or "".
func callID(data []byte) string { return headerValue(data, "Call-ID", "i") }

// headerValue returns the value of the first header named name (or its compact
// form) of the message in data, or "" when it has none before the blank line.
func headerValue(data []byte, name, compact string) string {
	for len(data) > 0 {
		line := data
		i := bytes.IndexByte(data, '\n')
		if i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			return "" // the end of the headers
		}
		n, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		n = bytes.TrimSpace(n)
		if bytes.EqualFold(n, []byte(name)) || bytes.EqualFold(n, []byte(compact)) {
			return string(bytes.TrimSpace(value))
		}
	}
	return ""
}
