package sipstack

import (
	"bytes"
	"strconv"
	"time"
)

var endOfHeaders = []byte("\r\n\r\n")

// stream cuts the bytes of a TCP connection into whole messages, so that the door
// judges each as it judges a datagram. A message is its headers up to the blank
// line and the body its Content-Length announces (RFC 3261 section 18.3); between
// messages come keep-alives (RFC 5626 section 3.5.1). A message larger than
// maxRequest is not held: its headers are judged, and its body is discarded as it
// comes. A message without a readable Content-Length, or headers longer than
// maxRequest, leave no boundary to find: the stream is lost, and all that follows
// is discarded until the connection's deadline closes it, headerTimeout later; the
// answers to the messages before go out on it meanwhile.
type stream struct {
	buf      []byte    // read and not yet cut
	started  time.Time // when the first byte of the message in buf came, or the stream was lost
	lastRead time.Time
	skip     int  // body bytes of a message too large still to discard
	lost     bool // no message boundary is left to find
}

// piece is what stream cuts: a keep-alive, a whole message, or the headers of one
// too large to hold.
type piece struct {
	data      []byte
	size      int  // the message's length in all
	keepAlive bool // a CRLFCRLF ping, which sipgo answers with a pong
	unframed  bool // its Content-Length is missing or unreadable: the stream is lost
}

// inMessage reports a message begun and not yet whole.
func (s *stream) inMessage() bool {
	return s.lost || s.skip > 0 || len(bytes.TrimLeft(s.buf, "\r\n")) > 0
}

// add takes the bytes p, read at now.
func (s *stream) add(p []byte, now time.Time) {
	if s.lost {
		return
	}
	k := min(s.skip, len(p))
	s.skip, p = s.skip-k, p[k:]
	was := s.inMessage()
	s.buf = append(s.buf, p...)
	if !was && s.inMessage() {
		s.started = now
	}
	s.lastRead = now
}

// next cuts the next piece, ok false when none is whole yet. tooLong reports
// headers beyond maxRequest without their end, which lose the stream.
func (s *stream) next() (p piece, ok, tooLong bool) {
	if s.lost {
		return piece{}, false, false
	}
	for bytes.HasPrefix(s.buf, []byte("\r\n")) {
		if bytes.HasPrefix(s.buf, endOfHeaders) {
			s.cut(len(endOfHeaders))
			return piece{data: []byte("\r\n\r\n"), size: len(endOfHeaders), keepAlive: true}, true, false
		}
		if len(s.buf) < len(endOfHeaders) && bytes.HasPrefix(endOfHeaders, s.buf) {
			return piece{}, false, false // a ping's second half may be on its way
		}
		s.cut(2) // a lone CRLF: a pong, or a stray line end
	}
	end := bytes.Index(s.buf, endOfHeaders)
	if end < 0 {
		if len(s.buf) > maxRequest {
			s.lose()
			return piece{}, false, true
		}
		return piece{}, false, false
	}
	head := s.buf[:end+len(endOfHeaders)]
	length, framed := bodyLength(head)
	p = piece{size: len(head) + length, unframed: !framed}
	switch {
	case !framed:
		p.data = bytes.Clone(head)
		s.lose()
	case p.size > maxRequest:
		p.data = bytes.Clone(head)
		taken := min(len(s.buf), p.size)
		s.skip = p.size - taken
		s.cut(taken)
	case len(s.buf) < p.size:
		return piece{}, false, false
	default:
		p.data = bytes.Clone(s.buf[:p.size])
		s.cut(p.size)
	}
	return p, true, false
}

// cut drops the first n bytes; the next message, if any has begun, started with
// the last read.
func (s *stream) cut(n int) {
	s.buf = s.buf[n:]
	if len(s.buf) == 0 {
		s.buf = nil
	}
	s.started = s.lastRead
}

// lose gives up the stream's framing.
func (s *stream) lose() {
	s.lost, s.buf, s.skip, s.started = true, nil, 0, s.lastRead
}

// bodyLength is the Content-Length of a message head; framed is false when it
// has none (RFC 3261 section 20.14 makes it mandatory on a stream) or its value is
// no length.
func bodyLength(head []byte) (n int, framed bool) {
	v := headerValue(head, "Content-Length", "l")
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || v[0] == '+' {
		return 0, false
	}
	return min(n, 1<<40), true // a length beyond any read is discarded as it comes
}
