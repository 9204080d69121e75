package sipstack

import (
	"bytes"
	"fmt"
)

// Layout is the m= lines of an SDP body and which of them is the audio
// stream we use. An answer has as many m= lines as its offer, in the same
// order (RFC 3264 section 6): the streams we do not take (video, a second
// audio, one we cannot speak) are refused with port 0, not left out.
type Layout struct {
	Lines []MLine
	Index int // the audio stream's place in Lines
}

// MLine is one m= line as an answer that refuses it repeats it: its media
// type, transport profile and formats.
type MLine struct {
	Media, Proto, Formats string
}

// refuse renders the line with port 0 (RFC 3264 section 6): the offer's
// media, profile and formats, which the answer must list though it uses none
// (a malformed line gets RTP/AVP and format 0 in their place).
func (l MLine) refuse(b *bytes.Buffer) {
	proto, formats := l.Proto, l.Formats
	if proto == "" {
		proto = ProtoAVP
	}
	if formats == "" {
		formats = "0"
	}
	fmt.Fprintf(b, "m=%s 0 %s %s\r\n", l.Media, proto, formats)
}
