package phone

import "errors"

// A call whose peer's SDP leaves it no media ends at once, with a cause that
// says so, rather than going on as an early or active call that carries no
// audio: CANCEL when the SDP came in a provisional response (the far end stops
// ringing), ACK and BYE after a 2xx (the stack ACKs every 2xx), BYE after an
// ACK whose answer is missing or unusable (delayedoffer.go).

// errNoAnswer means a 2xx to our offer carried no SDP answer, and no early
// media came before it.
var errNoAnswer = errors.New("sdp: the answer to our offer has no SDP")

// errDTLS means the peer's only audio stream is DTLS-SRTP, which we do not
// speak: it is refused (488), never answered in plain RTP.
var errDTLS = errors.New("sdp: the peer offers DTLS-SRTP (UDP/TLS/RTP/SAVP), which is not supported")

// screenAnswer turns an answer (or early SDP) to our offer that cannot carry
// the call into the input that ends it, before the call is reported active or
// its media started: inNoSRTP when the account requires SRTP and the peer has
// no usable key (a mandatory-SRTP call never goes live in clear, not even for
// a moment), inNoMedia when the SDP has no codec, stream or address we can use,
// or a 2xx has no SDP at all. A 2xx without SDP after early media keeps the
// early media's.
func (p *Phone) screenAnswer(c *call, in input, reason string) (input, string) {
	if !c.outgoing || c.state == stActive || (in != inAnswered && in != inEarlyMedia) {
		return in, reason
	}
	if len(c.remoteSDP) == 0 {
		p.log.Info("call refused: the answer has no SDP", "call", c.id)
		return inNoMedia, errNoAnswer.Error()
	}
	if _, err := p.negotiate(p.accountOf(c), c.remoteSDP, c.crypto); err != nil {
		p.log.Info("call refused: unusable media", "call", c.id, "err", err)
		return mediaInput(err), err.Error()
	}
	return in, reason
}

// mediaInput is the input that ends a call whose peer's SDP failed to
// negotiate with err.
func mediaInput(err error) input {
	if errors.Is(err, errNoSRTP) {
		return inNoSRTP
	}
	return inNoMedia
}
