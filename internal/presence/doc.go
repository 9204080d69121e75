// Package presence reads and writes the documents of the SIP event packages the
// engine subscribes to: message-summary for waiting messages (RFC 3842,
// summary.go), PIDF with RPID for presence (RFC 3863, RFC 4480, pidf.go) and
// dialog-info for busy lamps (RFC 4235, dialoginfo.go). Every document comes from
// the network and is untrusted: each parser bounds its input, refuses what it cannot
// read with an error wrapping ErrMalformed, and has a fuzz target. Standard library
// only.
package presence

import "errors"

// ErrMalformed reports a document that cannot be read.
var ErrMalformed = errors.New("presence: malformed document")

// maxDocument bounds every document read; a longer one is refused unread.
const maxDocument = 64 << 10
