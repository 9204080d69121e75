package media

import "errors"

// Sentinel errors returned by this package. Callers compare with errors.Is; the
// returned errors may wrap them with detail (the offending digit, the socket error).
var (
	// ErrClosed is returned by operations on a Stream after Close.
	ErrClosed = errors.New("media: stream closed")
	// ErrNotStarted is returned by WriteFrame and SendDTMF before the first Start.
	ErrNotStarted = errors.New("media: stream not started")
	// ErrBadLocalIP is returned by Open when Config.LocalIP is empty, not an IP
	// address, or unspecified (0.0.0.0, ::): media binds one explicit interface.
	ErrBadLocalIP = errors.New("media: local IP must be an explicit address")
	// ErrNoPortPair is returned by Open when no free even/odd RTP/RTCP port pair
	// could be bound.
	ErrNoPortPair = errors.New("media: no free RTP/RTCP port pair")
	// ErrBadParams is returned by Start when Params lacks a remote address or codec.
	ErrBadParams = errors.New("media: invalid stream parameters")
	// ErrInvalidDigit is returned by SendDTMF for a character outside 0-9 * # A-D.
	ErrInvalidDigit = errors.New("media: invalid DTMF digit")
	// ErrNoDTMF is returned by SendDTMF when the peer negotiated no telephone-event
	// payload type (Params.DTMFPayloadType is 0).
	ErrNoDTMF = errors.New("media: peer does not accept RFC 4733 telephone-events")
	// ErrBadPacket is returned by the RTP and RFC 4733 parsers for malformed input.
	ErrBadPacket = errors.New("media: malformed packet")
)
