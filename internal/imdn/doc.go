// Package imdn reads and writes the documents of instant message disposition
// notifications (IMDN, RFC 5438) over SIP MESSAGE: the CPIM envelope (RFC 3862,
// message/cpim) that wraps a message and asks for a delivery notification, and the
// notification itself (message/imdn+xml), which comes back in such an envelope.
// It knows nothing of SIP: the stack carries the bodies, the phone decides.
package imdn
