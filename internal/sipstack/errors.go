package sipstack

import (
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Sentinel errors returned by the stack. Callers match them with errors.Is.
var (
	// ErrBadTarget reports a dial target that is empty, malformed or carries
	// characters that could break a SIP header (CR, LF, NUL, <, >, ", spaces...).
	ErrBadTarget = errors.New("sipstack: bad target")
	// ErrBadHeader reports an extra header that is reserved or malformed.
	ErrBadHeader = errors.New("sipstack: bad header")
	// ErrNoAccount reports an operation that needs an account before SetAccount.
	ErrNoAccount = errors.New("sipstack: no account configured")
	// ErrBadAccount reports an account that cannot be used (bad server, transport).
	ErrBadAccount = errors.New("sipstack: bad account")
	// ErrClosed reports use of a stack after Close.
	ErrClosed = errors.New("sipstack: stack closed")
	// ErrCallState reports a call method used in a state where it makes no
	// sense, such as Answer on an outgoing call or Ring after a final response.
	ErrCallState = errors.New("sipstack: operation not valid in this call state")
	// ErrCallEnded reports an operation on a call that has already ended.
	ErrCallEnded = errors.New("sipstack: call ended")
	// ErrBadSDP reports an SDP body that cannot be parsed or has no audio stream.
	ErrBadSDP = errors.New("sipstack: bad SDP")
	// ErrNoCommonCodec reports an offer with no codec we accept; answer it with 488.
	ErrNoCommonCodec = errors.New("sipstack: no common codec")
)

// StatusError is a SIP final response that ended an operation unsuccessfully.
type StatusError struct {
	Code   int
	Reason string
	// MinSE is the Min-SE of a 422 Session Interval Too Small (RFC 4028), 0 in
	// any other answer.
	MinSE time.Duration
}

// statusError is the StatusError of res, a final response that is not a 2xx.
func statusError(res *sip.Response) *StatusError {
	e := &StatusError{Code: res.StatusCode, Reason: res.Reason}
	if res.StatusCode == 422 {
		e.MinSE, _ = minSEOf(res)
	}
	return e
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("sipstack: %d %s", e.Code, e.Reason)
}
