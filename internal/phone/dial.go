package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// dialPlan is what dial checked and decided on the actor, for the INVITE that goes
// out once the call's address and RTP are ready.
type dialPlan struct {
	target  string
	digits  string // the dial string's DTMF suffix
	line    int
	headers []Header
	codecs  []sipstack.Codec
	crypto  []sipstack.Crypto
	savp    bool
	account string // the id of the account it goes from
}

// dial places a call: it validates the dial string and extra headers and takes a
// line on the actor; the local address toward the target (a name lookup) and the
// RTP socket (a STUN exchange) are made ready off it (prepareDial); then the INVITE
// goes out and the command is answered with the line and call id. With auto-hold the
// call in progress is held first. A hang-up meanwhile wins: no INVITE is sent and
// the command fails.
func (p *Phone) dial(a *api.DialArgs, done answer) { p.dialCall(a, nil, done) }

// dialCall is dial with setup, when not nil, run on the new call before its INVITE
// goes (a transfer's call to its target: transfer_in.go).
func (p *Phone) dialCall(a *api.DialArgs, setup func(*call), done answer) {
	plan, err := p.planDial(a)
	if err != nil {
		done(nil, err)
		return
	}
	c := p.newCall(plan.line, true, nil)
	p.limitRing(c)
	if !a.Conference || !p.dialIntoConference(c) {
		p.autoHold() // the user turns from the call in progress to this one
	}
	c.peer, c.peerUser, c.dtmfSuffix, c.crypto = plan.target, uriUser(plan.target), plan.digits, plan.crypto
	c.account = plan.account
	if setup != nil {
		setup(c)
	}
	p.prepareDial(c, func(ip string, stream Stream, err error) {
		done(p.sendInvite(c, plan, ip, stream, err))
	})
}

// planDial checks a call.dial's arguments and takes what its INVITE needs.
func (p *Phone) planDial(a *api.DialArgs) (dialPlan, error) {
	to, digits, err := splitDialString(a.To)
	if err != nil {
		return dialPlan{}, err
	}
	from, err := p.dialAccount(a.Account) // accounts_dial.go
	if err != nil {
		return dialPlan{}, err
	}
	target, err := p.targetFrom(from, to)
	if err != nil {
		return dialPlan{}, api.BadArg("to", err.Error())
	}
	headers, err := p.cfg.SIP.Headers(a.Headers)
	if err != nil {
		return dialPlan{}, api.BadArg("headers", err.Error())
	}
	if a.Line < 0 || a.Line > p.settings.MaxLines {
		return dialPlan{}, api.BadArg("line", fmt.Sprintf("0..%d", p.settings.MaxLines))
	}
	line := p.lines.alloc(a.Line)
	if line == 0 {
		if a.Line > 0 {
			return dialPlan{}, fmt.Errorf("%w: line %d holds a call", ErrLineBusy, a.Line)
		}
		return dialPlan{}, fmt.Errorf("%w: all %d lines hold a call", ErrNoFreeLine, p.settings.MaxLines)
	}
	acc := p.accountByID(from)
	codecs := offerCodecs(acc.Codecs)
	if len(codecs) == 0 {
		return dialPlan{}, ErrNoCodec
	}
	crypto, savp, err := cryptoOffer(acc)
	if err != nil {
		return dialPlan{}, fmt.Errorf("%w: srtp: %w", ErrMedia, err)
	}
	return dialPlan{target: target, digits: digits, line: line, headers: headers, codecs: codecs, crypto: crypto, savp: savp, account: from}, nil
}

// sendInvite sends the INVITE of c, prepared at ip with stream (or failed to
// prepare with err), and announces the call; its result answers call.dial. A call
// that ended meanwhile sends nothing.
func (p *Phone) sendInvite(c *call, plan dialPlan, ip string, stream Stream, err error) (any, error) {
	switch {
	case c.state == stEnded:
		if stream != nil {
			stream.Close()
		}
		return nil, fmt.Errorf("%w: the call on line %d was hung up before its INVITE was sent", ErrCallState, c.line)
	case err != nil:
		p.drop(c)
		return nil, fmt.Errorf("%w: rtp: %w", ErrMedia, err)
	}
	offer := withCrypto(p.withCN(localDesc(ip, stream, plan.codecs, dtmfPayloadType, true, p.settings.Ptime)), plan.crypto, plan.savp)
	d, err := p.dialFrom(plan.account, plan.target, buildSDP(offer), plan.headers, p.reofferFor(c, plan))
	if err != nil {
		stream.Close()
		p.drop(c)
		return nil, fmt.Errorf("%w: sip: %w", ErrSignalling, err)
	}
	c.dialog, c.sipID, c.stream, c.localIP, c.ourMux, c.ourCN = d, d.CallID(), stream, ip, offer.RTCPMux, offer.CNPT != 0
	p.log.Info("dialing", "call", c.id, "line", c.line, "to", plan.target, "sip_call_id", c.sipID)
	p.announce(c)
	return api.DialResult{Line: c.line, CallID: c.id}, nil
}
