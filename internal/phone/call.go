package phone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// hangupTimeout bounds one CANCEL or BYE.
const hangupTimeout = 5 * time.Second

// call is one call, owned by the actor. Snapshots copy it through public().
type call struct {
	id       string // engine handle, unique for the process lifetime
	sipID    string // SIP Call-ID
	line     int
	outgoing bool
	account  string // the id of the account it is on (accounts.go)
	state    state
	peer     string
	peerUser string
	peerName string
	codec    string
	sipCode  int
	cause    *api.Cause
	started  time.Time
	answered time.Time
	ended    time.Time

	dialog     Dialog
	stream     Stream
	mediaOn    bool   // the stream is on the media clock
	muted      bool   // the microphone is not sent
	remoteSDP  []byte // the peer's latest SDP
	localSDP   []byte // our answer to an incoming offer
	media      negotiated
	crypto     []sipstack.Crypto // the SDES crypto lines of our offer or answer
	ourMux     bool              // our first SDP said a=rtcp-mux: every offer of ours does, an answer when the offer did
	ourCN      bool              // our first SDP named comfort noise (silence.go): the only way CN is ever sent
	rejectCode int
	dtmfSuffix string
	ignored    bool      // incoming: the user silenced the ringer for it
	hold       holdState // our hold (hold.go)
	autoHeld   bool      // auto-hold held it: turning back to its line resumes it (selection.go)
	remoteHeld bool      // the peer's last re-INVITE holds us
	localIP    string    // our address for the call's SIP and RTP
	moving     bool      // a re-INVITE moving the call to a new address is in flight (netchange.go)
	netStale   bool      // the network changed while a re-INVITE was in flight: look again after it
	preparing  bool      // its address and RTP are being made ready off the actor: not announced yet (prepare.go)
	// delayedOffer: an incoming INVITE without SDP; our 200 makes the offer and the
	// answer comes in the ACK (delayedoffer.go).
	delayedOffer bool
	unheld       time.Time // when the call last stopped being held either way

	pendingHold *pendingHold   // our hold or resume re-INVITE in flight (hold.go)
	transfer    *transfer      // our blind transfer in progress (transfer.go)
	referral    *referral      // the peer's REFER of this call being carried out (transfer_in.go)
	referredBy  *call          // the call whose peer's REFER this call carries out (transfer_in.go)
	replacing   bool           // incoming with Replaces: answered at once (replaces.go)
	pickedUpBy  string         // outgoing: the party whose INVITE with Replaces took it while it rang (pickedup.go)
	cancelDTMF  func()         // stops the dial string's digits waiting to be sent
	finalStats  *api.CallStats // its last media figures, taken as its media stopped (stats.go)

	policy      verdict // what the call policies decided when it arrived (policy.go)
	forwardTo   string  // the SIP URI fxSendForward sends it to (forward.go)
	cancelRing  func()  // stops its ring timeout or delayed auto-answer (policyact.go)
	cancelLimit func()  // stops its ringTimeoutOut or callTimeout (timelimit.go)

	conference     bool   // a member of the local conference (conference.go)
	joinConference bool   // dialed into the conference: it joins when answered
	conferenced    bool   // it was a member at some time: its history record says so
	transferredTo  string // the party the call was handed over to (handedOver); its history record says so
}

func (c *call) public() api.CallState {
	dir := api.DirIncoming
	if c.outgoing {
		dir = api.DirOutgoing
	}
	cs := api.CallState{
		Line: c.line, CallID: c.id, SIPCallID: c.sipID, Direction: dir,
		Peer: c.peer, PeerUser: c.peerUser, PeerName: c.peerName, Account: c.account,
		State: c.state.String(), Codec: c.codec, SIPCode: c.sipCode, Cause: c.cause,
		Encrypted:  c.mediaOn && c.media.srtp != nil,
		Muted:      c.muted,
		Ignored:    c.ignored,
		Held:       c.hold.held(),
		RemoteHeld: c.remoteHeld,
		Conference: c.conference,
		StartedAt:  c.started.UnixMilli(),
		PickedUpBy: c.pickedUpBy,
	}
	if !c.answered.IsZero() {
		cs.AnsweredAt = c.answered.UnixMilli()
	}
	if !c.ended.IsZero() {
		cs.EndedAt = c.ended.UnixMilli()
		cs.Stats = c.finalStats
	}
	return cs
}

// newCall puts a new call on line, preparing: it holds the line but is not announced
// until announce. d is nil for an outgoing call until its INVITE is sent.
func (p *Phone) newCall(line int, outgoing bool, d Dialog) *call {
	p.nextID++
	c := &call{
		id: fmt.Sprintf("c%d", p.nextID), line: line, outgoing: outgoing,
		dialog: d, started: p.now(), rejectCode: 486, preparing: true,
		account: p.accID, // the default; a call on another says so (accounts.go)
	}
	if d != nil {
		c.sipID = d.CallID()
	}
	if outgoing {
		c.state = stDialing
	} else {
		c.state = stIncoming
	}
	p.lines.set(line, c)
	return c
}

// announce makes a prepared call known: its line becomes the selected one when
// announceSelects says so, and its state is reported.
func (p *Phone) announce(c *call) {
	c.preparing = false
	if p.announceSelects(c) {
		p.selectLine(c.line)
	}
	p.bus.Emit(api.EvCallState, c.public())
	p.syncPublish() // busy while a call is up (presence.go)
}

// apply feeds one input to c's state machine and runs the effects. The returned channel,
// when not nil, closes once a CANCEL or BYE it sent has finished.
func (p *Phone) apply(c *call, in input, code int, reason string) (<-chan struct{}, error) {
	tr, err := step(c.state, c.outgoing, in)
	if err != nil {
		return nil, err
	}
	prev := c.state
	c.state = tr.next
	if code != 0 {
		c.sipCode = code
	}
	log := p.log.With("call", c.id, "line", c.line, "sip_call_id", c.sipID)
	var done chan struct{}
	for _, fx := range tr.effects {
		switch fx {
		case fxSendRing:
			if err := c.dialog.Ring(); err != nil {
				log.Warn("send 180", "err", err)
			}
		case fxSendAnswer:
			if err := c.dialog.Answer(c.localSDP); err != nil {
				log.Warn("send 200", "err", err)
			}
		case fxSendReject:
			if err := c.dialog.Reject(c.rejectCode, rejectReason(c.rejectCode)); err != nil {
				log.Warn("send reject", "err", err)
			}
		case fxSendForward:
			p.sendForward(c, log)
		case fxSendHangup:
			if c.dialog != nil { // nil: hung up before its INVITE was sent
				done = p.sendHangup(c.dialog, log)
			}
		case fxStartMedia:
			if err := p.startMedia(c); errors.Is(err, errNoSRTP) {
				log.Info("call refused: no SRTP", "err", err)
				p.post(func() { p.apply(c, inNoSRTP, 0, err.Error()) })
			} else if errors.Is(err, errNoAnswer) {
				p.post(func() { p.apply(c, inNoMedia, 0, err.Error()) })
			} else if err != nil {
				log.Warn("media", "err", err)
			}
		case fxStopMedia:
			p.stopMedia(c)
		}
	}
	if tr.next == stActive && prev != stActive {
		c.answered = p.now()
		p.limitCall(c)
		p.joinOnAnswer(c)
		if c.dtmfSuffix != "" {
			p.scheduleDTMF(c, c.dtmfSuffix)
		}
	}
	if tr.next == stEnded {
		c.cause = &api.Cause{Kind: tr.cause, Code: code, Reason: reason}
		c.ended = p.now()
		c.cancelHold() // what the call still had in flight ends with it
		if c.cancelDTMF != nil {
			c.cancelDTMF()
		}
		if c.cancelRing != nil {
			c.cancelRing()
		}
		c.stopLimit()
		p.endTone(c, tr.cause) // tones.go
		p.lines.free(c.line)
		p.endInConference(c)
		if p.selected == c.line {
			p.selectLine(p.bestLine())
		}
		log.Info("call ended", "cause", tr.cause, "code", code, "reason", reason)
	}
	if tr.next != prev && !c.preparing { // a call that ends while preparing ends unannounced
		p.updatePump()
		p.bus.Emit(api.EvCallState, c.public())
		p.syncPublish() // busy while a call is up (presence.go)
	}
	if tr.next == stEnded {
		p.recordEnd(c) // after its call.state: call.cdr follows it
	}
	if c.referredBy != nil && tr.next != prev {
		p.referralProgress(c)
	}
	if done == nil {
		return nil, nil
	}
	return done, nil
}

// sendHangup sends the CANCEL or BYE of d on a worker and returns a channel that
// closes once it has finished, which the shutdown waits for.
func (p *Phone) sendHangup(d Dialog, log *slog.Logger) chan struct{} {
	done := make(chan struct{})
	p.trackHangup(done)
	p.goWork(func(ctx context.Context) {
		defer close(done)
		ctx, cancel := context.WithTimeout(ctx, hangupTimeout)
		defer cancel()
		if err := d.Hangup(ctx); err != nil {
			log.Warn("hangup", "err", err)
		}
	})
	return done
}

// bestLine is the line to select after the selected call ended: the lowest line with a
// call, or 0.
func (p *Phone) bestLine() int {
	best := 0
	p.lines.each(func(c *call) {
		if best == 0 && !c.preparing {
			best = c.line
		}
	})
	if ms := p.members(); len(ms) > 0 {
		return ms[0].line // the user stays with the conference
	}
	return best
}

func rejectReason(code int) string {
	switch code {
	case 486:
		return "Busy Here"
	case 603:
		return "Decline"
	case 480:
		return "Temporarily Unavailable"
	case 488:
		return "Not Acceptable Here"
	}
	return "Rejected"
}

// resolve finds the call a command refers to (resolveAny), refusing one still
// preparing (prepare.go): only a hang-up reaches it.
func (p *Phone) resolve(ref api.CallRef) (*call, error) {
	c, err := p.resolveAny(ref)
	if err == nil && c.preparing {
		return nil, fmt.Errorf("%w: the call on line %d is not ready yet", ErrCallState, c.line)
	}
	return c, err
}

// resolveAny finds the call a command refers to: by call id (engine or SIP), by line,
// or the selected line's call, or the only call.
func (p *Phone) resolveAny(ref api.CallRef) (*call, error) {
	switch {
	case ref.CallID != "":
		if c := p.lines.find(ref.CallID); c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("%w with id %s", ErrNoCall, ref.CallID)
	case ref.Line != 0:
		if c := p.lines.get(ref.Line); c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("%w on line %d", ErrNoCall, ref.Line)
	}
	if c := p.lines.get(p.selected); c != nil {
		return c, nil
	}
	if p.lines.count() == 1 { // the only call, announced or still preparing
		var only *call
		p.lines.each(func(c *call) { only = c })
		return only, nil
	}
	return nil, fmt.Errorf("%w: none selected", ErrNoCall)
}

// userInput feeds a user's command to the call it refers to; a hang-up also ends a
// call still preparing.
func (p *Phone) userInput(ref api.CallRef, in input) (api.Empty, error) {
	resolve := p.resolve
	if in == inHangup {
		resolve = p.resolveAny
	}
	c, err := resolve(ref)
	if err != nil {
		return api.Empty{}, err
	}
	if _, err := p.apply(c, in, 0, ""); err != nil {
		return api.Empty{}, stateError(c, in, err)
	}
	return api.Empty{}, nil
}

func stateError(c *call, in input, err error) error {
	if errors.Is(err, errInvalidTransition) {
		return fmt.Errorf("%w: cannot %s: the call on line %d is %s", ErrCallState, in, c.line, c.state)
	}
	return err
}

func (p *Phone) reject(a *api.RejectArgs) (api.Empty, error) {
	code := a.Code
	if code == 0 {
		code = 486
	}
	if code < 400 || code > 699 {
		return api.Empty{}, api.BadArg("code", "a SIP final error 400..699 (486 busy, 603 decline)")
	}
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.Empty{}, err
	}
	if c.outgoing {
		return api.Empty{}, fmt.Errorf("%w: reject applies to incoming calls; use call.hangup", ErrCallState)
	}
	c.rejectCode = code
	if _, err := p.apply(c, inReject, 0, ""); err != nil {
		return api.Empty{}, stateError(c, inReject, err)
	}
	return api.Empty{}, nil
}

func (p *Phone) hangup(a *api.HangupArgs) (api.HangupResult, error) {
	if !a.All {
		if _, err := p.userInput(a.CallRef, inHangup); err != nil {
			return api.HangupResult{}, err
		}
		return api.HangupResult{Ended: 1}, nil
	}
	n := 0
	p.lines.each(func(c *call) {
		if _, err := p.apply(c, inHangup, 0, ""); err == nil {
			n++
		}
	})
	return api.HangupResult{Ended: n}, nil
}

func (p *Phone) mute(a *api.MuteArgs) (api.Empty, error) {
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.Empty{}, err
	}
	if !c.mediaOn {
		return api.Empty{}, fmt.Errorf("%w: the call on line %d has no media yet", ErrCallState, c.line)
	}
	if c.muted != a.Mute {
		c.muted = a.Mute
		p.updatePump()
		p.bus.Emit(api.EvCallState, c.public())
	}
	return api.Empty{}, nil
}

func (p *Phone) sendDTMF(a *api.DTMFArgs) (api.Empty, error) {
	if err := validDigits(a.Digits); err != nil {
		return api.Empty{}, err
	}
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.Empty{}, err
	}
	if c.state != stActive && c.state != stEarly {
		return api.Empty{}, fmt.Errorf("%w: the call on line %d is %s", ErrCallState, c.line, c.state)
	}
	if err := c.stream.SendDTMF(a.Digits); err != nil {
		return api.Empty{}, fmt.Errorf("%w: dtmf: %w", ErrCallState, err)
	}
	p.feedDTMF(a.Digits) // tones.go
	return api.Empty{}, nil
}

// scheduleDTMF sends a dial string's digits after the configured pause, if the call is
// still active then.
func (p *Phone) scheduleDTMF(c *call, digits string) {
	c.cancelDTMF = p.after(p.settings.DTMFDelay, func() {
		if c.state == stActive {
			if err := c.stream.SendDTMF(digits); err != nil {
				p.log.Warn("dial string dtmf", "call", c.id, "err", err)
			}
		}
	})
}

// checkRTPTimeouts ends active calls that received no RTP for Settings.RTPTimeout.
func (p *Phone) checkRTPTimeouts() {
	limit := p.settings.RTPTimeout
	if limit <= 0 {
		return
	}
	now := p.now()
	p.lines.each(func(c *call) {
		if c.state != stActive || c.onHold() {
			return // a held peer may send nothing
		}
		last := c.stream.LastReceived()
		if last.IsZero() || last.Before(c.answered) {
			last = c.answered
		}
		if last.Before(c.unheld) {
			last = c.unheld
		}
		if now.Sub(last) >= limit {
			p.apply(c, inRTPTimeout, 0, fmt.Sprintf("no RTP for %v", limit))
		}
	})
}

func (p *Phone) onDTMF(c *call, digit rune, d time.Duration) {
	if c.state == stEnded {
		return
	}
	p.bus.Emit(api.EvCallDTMF, api.DTMFEvent{Line: c.line, CallID: c.id, Digit: string(digit), Duration: int(d / time.Millisecond)})
}
