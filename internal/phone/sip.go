package phone

import (
	"context"
	"sync"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// SIPAdapter adapts *sipstack.Stack to the SIP port and translates its events into
// phone inputs. Create it before the stack (the stack's OnEvent is the adapter's
// HandleEvent), then Bind the stack and the phone.
type SIPAdapter struct {
	mu     sync.Mutex
	acc    sipstack.Account
	extras map[string]sipstack.Account // the accounts besides the default (accounts_sip.go)
	stack  *sipstack.Stack
	phone  *Phone
}

// Bind connects the adapter to its stack and the phone it reports to.
func (a *SIPAdapter) Bind(st *sipstack.Stack, p *Phone) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stack, a.phone = st, p
}

// SetAccount hands the account to the stack.
func (a *SIPAdapter) SetAccount(acc account.Account) error {
	sa := sipAccount(acc)
	a.mu.Lock()
	a.acc = sa
	a.mu.Unlock()
	return a.stack.SetAccount(sa)
}

func (a *SIPAdapter) Register() error                      { return a.stack.Register() }
func (a *SIPAdapter) Unregister(ctx context.Context) error { return a.stack.Unregister(ctx) }
func (a *SIPAdapter) LocalIP(target string) string         { return a.stack.LocalIPFor(target) }

func (a *SIPAdapter) Target(to string) (string, error) {
	a.mu.Lock()
	acc := a.acc
	a.mu.Unlock()
	return sipstack.ParseTarget(to, acc)
}

func (a *SIPAdapter) Headers(h map[string]string) ([]Header, error) {
	checked, err := sipstack.ParseHeaders(h)
	if err != nil {
		return nil, err
	}
	out := make([]Header, len(checked))
	for i, c := range checked {
		out[i] = Header(c)
	}
	return out, nil
}

func (a *SIPAdapter) Dial(target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error) {
	hs := make([]sipstack.Header, len(headers))
	for i, h := range headers {
		hs[i] = sipstack.Header(h)
	}
	c, err := a.stack.Dial(sipstack.DialOptions{Target: target, SDP: offer, Headers: hs, Reoffer: reoffer})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SendMessage sends an instant message (Messenger): the final answer's status, 408
// when none came in time, or err when the request could not go.
func (a *SIPAdapter) SendMessage(ctx context.Context, m OutMessage) (int, string, error) {
	o := sipstack.MessageOptions{Account: m.Account, Target: m.Target, Text: m.Text}
	if m.Envelope != nil {
		o.ContentType, o.Body = imdn.CPIMType, m.Envelope
	}
	res, err := a.stack.Send(ctx, o)
	return res.Code, res.Reason, err
}

// HandleEvent is the stack's OnEvent: it posts each event to the phone's actor, in order.
func (a *SIPAdapter) HandleEvent(ev sipstack.Event) {
	a.mu.Lock()
	p := a.phone
	a.mu.Unlock()
	if p == nil || subscriptionEvent(p, ev) { // sipsubscribe.go
		return
	}
	switch e := ev.(type) {
	case sipstack.RegEvent:
		st := api.RegState{Account: e.Account, State: e.State, Code: e.Code, Reason: e.Reason, Expires: e.Expires, Retry: int(e.Retry.Seconds())}
		p.post(func() { p.onRegState(st) })
	case sipstack.Incoming:
		in := Incoming{Account: e.Account, Dialog: e.Call, From: e.From, FromUser: e.FromUser, FromName: e.FromName, SDP: e.SDP, LocalIP: e.LocalIP,
			Replaces: e.Replaces, AnswerHints: e.AnswerHints}
		if !p.post(func() { p.onIncoming(in) }) {
			e.Call.Reject(503, "Service Unavailable")
		}
	case sipstack.Message:
		in := InMessage{Account: e.Account, From: e.From, FromName: e.FromName, Text: e.Text, Envelope: e.Envelope}
		p.post(func() { p.onMessage(in) })
	case sipstack.CallEvent:
		switch e.Kind {
		case sipstack.Updated:
			if e.FromAck {
				p.post(func() { p.onAnswerInAck(e.CallID, e.SDP, e.RemoteHeld) })
			} else {
				p.post(func() { p.onRemoteUpdate(e.CallID, e.SDP, e.RemoteHeld) })
			}
			return
		case sipstack.BadAnswer:
			p.post(func() { p.onBadAnswer(e.CallID, e.Reason) })
			return
		case sipstack.TransferProgress:
			p.post(func() { p.onTransferProgress(e.CallID, e.Code, e.Reason, e.Final) })
			return
		case sipstack.Referred:
			p.post(func() { p.onReferred(e.CallID, e.Reason) })
			return
		case sipstack.Redirected:
			p.post(func() { p.onRedirected(e.CallID, e.Code, e.Reason) })
			return
		}
		in, ok := callInput(e)
		if !ok {
			return
		}
		p.post(func() { p.onCallEvent(e.CallID, in, e.Code, e.Reason, e.SDP) })
	}
}

// callInput maps a SIP call event to a state-machine input. Ended is our own hangup
// coming back: the state machine already moved.
func callInput(e sipstack.CallEvent) (input, bool) {
	switch e.Kind {
	case sipstack.Provisional:
		if len(e.SDP) > 0 {
			return inEarlyMedia, true
		}
		return inRinging, true
	case sipstack.Answered:
		return inAnswered, true
	case sipstack.Failed:
		if e.Code >= 300 {
			return inRejected, true
		}
		return inFailed, true
	case sipstack.RemoteBye:
		return inRemoteBye, true
	case sipstack.RemoteCancel:
		return inRemoteCancel, true
	case sipstack.SessionExpired:
		return inSessionExpired, true
	}
	return 0, false
}

// sipAccount is the stack's copy of the account: what REGISTER and INVITE need.
// Codecs and Register stay with the phone, which offers the codecs and decides when
// to register.
func sipAccount(a account.Account) sipstack.Account {
	return sipstack.Account{
		Server: a.Server, Username: a.Username, AuthUsername: a.AuthUsername, Password: a.Password,
		DisplayName: a.DisplayName, Transport: a.Transport, OutboundProxy: a.OutboundProxy,
		RegisterInterval: a.RegisterInterval,
	}
}
