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
// response or anything else that does not look like a request line. A method is an
// RFC 3261 token, of no bounded length: any first line with a space, that is no
// Status-Line, is a request's, so that a long method is judged as any other (a
// stranger's dropped, the server's answered 501). Only the first maxMethod bytes of
// the method are returned, enough to tell every method we know.
func startLine(data []byte) (method string, isRequest bool) {
	data = bytes.TrimLeft(data, "\r\n")
	if bytes.HasPrefix(data, []byte("SIP/")) {
		return "", false
	}
	if end := bytes.IndexAny(data, "\r\n"); end >= 0 {
		data = data[:end]
	}
	sp := bytes.IndexByte(data, ' ')
	if sp <= 0 {
		return "", false
	}
	return string(data[:min(sp, maxMethod)]), true
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
