package phone

import (
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/presence"
)

// Voicemail (RFC 3842): while an account is registered the engine subscribes to
// its message-summary (unless the mwi setting is off), each account its own box
// from its own SIP port, and reports the counts of each document that changes them
// as mwi.state with the account (absent for the default); the snapshot keeps the
// last of each. With mwiUnsolicited the NOTIFYs a server sends without a
// subscription count too, for the default account. The voicemail number is only
// kept, for the page to dial.

const (
	mwiEvent  = "message-summary"
	mwiAccept = "application/simple-message-summary"
)

// maxVoicemailNumber bounds the voicemail number setting.
const maxVoicemailNumber = 64

// Voicemail are the voicemail settings.
type Voicemail struct {
	NoMWI       bool   // do not subscribe (the mwi setting, on by default)
	Unsolicited bool   // take message-summary NOTIFYs outside a subscription
	Number      string // what the page dials for voicemail
}

// mwiWatch is the subscription to one account's voicemail box.
type mwiWatch struct {
	watch  Watch
	target string // the account's user@server it was made for; "" when none
	state  api.MWIState
}

// mwiBoxes are the voicemail boxes' subscriptions, by the SIP port's name of
// their account ("" the default).
type mwiBoxes map[string]*mwiWatch

// owner is the account whose box's subscription has this id.
func (b mwiBoxes) owner(id string) (string, bool) {
	for account, m := range b {
		if m.watch != nil && id != "" && m.watch.ID() == id {
			return account, true
		}
	}
	return "", false
}

// box is the voicemail box of account, made when there is none.
func (p *Phone) box(account string) *mwiWatch {
	if p.mwi == nil {
		p.mwi = mwiBoxes{}
	}
	m := p.mwi[account]
	if m == nil {
		m = &mwiWatch{state: api.MWIState{Account: account}}
		p.mwi[account] = m
	}
	return m
}

// applyVoicemail returns v with the voicemail fields a sets (settingsave.go).
func applyVoicemail(v Voicemail, a api.SettingsArgs) (Voicemail, error) {
	if a.MWI != nil {
		v.NoMWI = !*a.MWI
	}
	if a.MWIUnsolicited != nil {
		v.Unsolicited = *a.MWIUnsolicited
	}
	if a.VoicemailNumber != nil {
		n := *a.VoicemailNumber
		if len(n) > maxVoicemailNumber || !policyText(n) {
			return Voicemail{}, api.BadArg("voicemailNumber", "a number, a user or a SIP URI of at most 64 characters, without spaces; \"\" = none")
		}
		v.Number = n
	}
	return v, nil
}

// syncMWI makes the voicemail subscriptions what the settings, the accounts and
// their registrations ask for: one to each account's user while it is registered
// (kept while it registers again), none otherwise.
func (p *Phone) syncMWI() {
	sub := p.cfg.Subscriber
	if sub == nil {
		return
	}
	sub.AcceptUnsolicited(mwiEvent, p.settings.Voicemail.Unsolicited)
	want := map[string]string{"": p.mwiTarget("", p.reg, p.acc.Username, p.acc.Server)}
	for _, x := range p.extras {
		want[x.id] = p.mwiTarget(x.id, x.reg, x.acc.Username, x.acc.Server)
	}
	for account := range p.mwi {
		if _, ok := want[account]; !ok { // its account was removed
			p.subscribeBox(account, "", "")
			delete(p.mwi, account)
		}
	}
	p.subscribeBox("", want[""], p.acc.Username)
	for _, x := range p.extras {
		p.subscribeBox(x.id, want[x.id], x.acc.Username)
	}
}

// mwiTarget is what the box of account should be subscribed to now: its
// user@server while it is registered, or registers again with a subscription
// running; "" for none.
func (p *Phone) mwiTarget(account string, reg api.RegState, user, server string) string {
	m := p.mwi[account]
	up := reg.State == api.RegRegistered || (m != nil && m.watch != nil && reg.State == api.RegRegistering)
	if p.settings.Voicemail.NoMWI || !up || p.stopping || user == "" {
		return ""
	}
	return user + "@" + server
}

// subscribeBox makes the subscription of account's box the one to want ("" none),
// for user: a box whose target changes starts empty.
func (p *Phone) subscribeBox(account, want, user string) {
	m := p.box(account)
	if want == m.target {
		return
	}
	if m.watch != nil {
		p.stopWatch(m.watch)
	}
	m.watch, m.target = nil, ""
	p.setMWI(api.MWIState{Account: account})
	if want == "" {
		return
	}
	w, err := p.cfg.Subscriber.Subscribe(account, user, mwiEvent, mwiAccept)
	if err != nil {
		p.log.Warn("voicemail subscription", "account", account, "err", err)
		return
	}
	m.watch, m.target = w, want
}

// onSummary reads a message-summary of a voicemail subscription, or an
// unsolicited one (the default account's) when they are taken.
func (p *Phone) onSummary(n Notification) {
	account, ours := p.mwi.owner(n.ID)
	ours = ours || (n.ID == "" && p.settings.Voicemail.Unsolicited)
	if !ours || len(n.Body) == 0 { // an empty NOTIFY (pending, or the end) says nothing of the box
		return
	}
	s, err := presence.ParseSummary(n.Body)
	if err != nil {
		p.malformed(n, err)
		return
	}
	p.setMWI(api.MWIState{Account: account, Waiting: s.Waiting, New: s.Voice.New, Old: s.Voice.Old,
		UrgentNew: s.Voice.UrgentNew, UrgentOld: s.Voice.UrgentOld, MessageAccount: s.Account})
}

// setMWI records the voicemail box of st.Account and reports a change.
func (p *Phone) setMWI(st api.MWIState) {
	m := p.box(st.Account)
	if st == m.state {
		return
	}
	m.state = st
	p.bus.Emit(api.EvMWI, st)
}

// mwiSnapshot is the default account's box, and those of the others that are
// subscribed, in the order of the accounts.
func (p *Phone) mwiSnapshot() (api.MWIState, []api.MWIState) {
	var others []api.MWIState
	for _, x := range p.extras {
		if m := p.mwi[x.id]; m != nil && m.watch != nil {
			others = append(others, m.state)
		}
	}
	var own api.MWIState
	if m := p.mwi[""]; m != nil {
		own = m.state
	}
	return own, others
}
