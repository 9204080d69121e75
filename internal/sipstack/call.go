package sipstack

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callState is where a call stands in its INVITE transaction and dialog.
type callState int

const (
	stateInviting    callState = iota // INVITE sent or received, no final response
	stateAnswering                    // incoming: our 2xx is out, waiting for ACK
	stateRejecting                    // incoming: our non-2xx final is out
	stateCancelling                   // outgoing: Hangup before answer, CANCEL under way
	stateEstablished                  // 2xx sent or received
	stateEnded
)

// Call is one SIP call, outgoing (Stack.Dial) or incoming (Incoming event).
// Its methods are safe for concurrent use.
type Call struct {
	st       *Stack
	callID   string
	incoming bool
	account  string // the ID of the account the call is on, "" the default
	log      *slog.Logger

	evMu   sync.Mutex // serialises OnEvent calls of this call
	closed bool       // guarded by evMu: the terminal event went out

	// byeSeen: the peer's BYE arrived. A caller that sends its ACK and BYE back to
	// back may have the BYE end the dialog before the ACK is read; the 200 then
	// ends unconfirmed, and that is the peer hanging up, not a failure.
	byeSeen atomic.Bool

	mu         sync.Mutex
	state      callState
	dialogID   string
	sdp        sdpSession    // offer/answer and hold state
	reinviting bool          // our re-INVITE is in flight (a crossing one gets 491)
	offerInAck bool          // our 200 to an INVITE or re-INVITE without SDP made an offer
	timer      *sessionTimer // the session timer (RFC 4028), nil without one
	// referDecision waits for AnswerRefer while a REFER of the peer waits (refer_in.go)
	referDecision chan bool

	// outgoing
	uac          *sipgo.DialogClientSession
	tap          *inviteTap        // the INVITE's client transaction (invitetap.go)
	abandon      func()            // stops waiting for the INVITE's final response (answer.go)
	provisional  bool              // a 1xx came: a CANCEL may go (cancel.go)
	cancelSent   bool              // our CANCEL is out, or on its way
	inviteDone   chan struct{}     // closed when the INVITE transaction is over
	rseqs        map[string]uint32 // the last RSeq PRACKed, by early dialog's To tag (prack.go)
	earlyDialogs []string          // early dialogs whose offer/answer is done (prack.go)
	early        *earlyTarget      // the last of them, as an UPDATE needs it (earlymove.go)
	ringTags     []string          // the To tags of the provisional responses, one per early dialog (ringing.go)

	// incoming
	uas      *sipgo.DialogServerSession
	reliable *reliableResponse // our last reliable provisional response (reliable.go)
}

// CallID returns the SIP Call-ID of the call.
func (c *Call) CallID() string { return c.callID }

// Incoming reports whether the peer called us.
func (c *Call) Incoming() bool { return c.incoming }

// emit sends one event of this call, unless the call already ended. A
// terminal kind ends the call and forgets its dialog.
func (c *Call) emit(kind CallEventKind, code int, reason string, sdp []byte) {
	c.emitEvent(CallEvent{Kind: kind, Code: code, Reason: reason, SDP: sdp})
}

// emitEvent is emit for an event with more than the common fields.
func (c *Call) emitEvent(ev CallEvent) {
	ev.CallID = c.callID
	kind := ev.Kind
	c.evMu.Lock()
	defer c.evMu.Unlock()
	if c.closed {
		return
	}
	if kind.Terminal() {
		c.closed = true
		c.mu.Lock()
		c.state = stateEnded
		id, early := c.dialogID, c.earlyDialogs
		c.mu.Unlock()
		if id != "" {
			c.st.removeCall(id)
		}
		for _, id := range early {
			c.st.removeCall(id)
		}
		c.st.ringing.remove(c)
		c.stopSessionTimer()
	}
	c.log.Debug("call event", "kind", kind.String(), "code", ev.Code)
	c.st.emit(ev)
}

// setState moves from one of the from states to next; false if the call
// was in another state.
func (c *Call) setState(next callState, from ...callState) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range from {
		if c.state == f {
			c.state = next
			return true
		}
	}
	return false
}

func (c *Call) getState() callState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Hangup ends the call in the way its state calls for: CANCEL for an
// unanswered outgoing call, 603 Decline for an unanswered incoming one,
// BYE once answered. It returns when that exchange is done or ctx ends.
func (c *Call) Hangup(ctx context.Context) error {
	if c.incoming {
		return c.hangupIncoming(ctx)
	}
	return c.hangupOutgoing(ctx)
}

// bye sends BYE in an established dialog and reports Ended.
func (c *Call) bye(ctx context.Context) error {
	var err error
	if c.incoming {
		req := sip.NewRequest(sip.BYE, c.uas.InviteRequest.Contact().Address)
		req.SetTransport(c.uas.InviteRequest.Transport())
		c.st.pinLocal(req)
		err = c.uas.WriteBye(ctx, req)
	} else {
		req := sip.NewRequest(sip.BYE, remoteTarget(c.uac.InviteRequest, c.uac.InviteResponse))
		req.SetTransport(c.uac.InviteRequest.Transport())
		c.st.pinLocal(req)
		err = c.uac.WriteBye(ctx, req)
	}
	reason := "BYE"
	if err != nil {
		reason = "BYE: " + err.Error()
	}
	c.emit(Ended, 0, reason, nil)
	return err
}

// remoteTarget is the peer's Contact from the 2xx, else the Request-URI.
func remoteTarget(req *sip.Request, res *sip.Response) sip.Uri {
	if res != nil {
		if ct := res.Contact(); ct != nil {
			return *ct.Address.Clone()
		}
	}
	return *req.Recipient.Clone()
}

// onRemoteBye answers a BYE from the peer and reports RemoteBye.
func (c *Call) onRemoteBye(req *sip.Request, tx sip.ServerTransaction) {
	c.byeSeen.Store(true)
	var err error
	if c.incoming {
		err = c.uas.ReadBye(req, tx)
	} else {
		err = c.uac.ReadBye(req, tx)
	}
	if err != nil {
		c.log.Warn("BYE handling failed", "error", err)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	c.emit(RemoteBye, 0, "BYE", nil)
}
