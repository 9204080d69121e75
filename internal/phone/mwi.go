package phone

import (
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/presence"
)

// Voicemail (RFC 3842): while the account is registered the engine subscribes to
// its message-summary (unless the mwi setting is off), and reports the counts of
// each document that changes them as mwi.state; the snapshot keeps the last. With
// mwiUnsolicited the NOTIFYs a server sends without a subscription count too. The
// voicemail number is only kept, for the page to dial.

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

// mwiWatch is the subscription to the account's voicemail box.
type mwiWatch struct {
	watch  Watch
	target string // the account's user it was made for; "" when none
	state  api.MWIState
}

// owns reports whether id is the voicemail subscription's.
func (m *mwiWatch) owns(id string) bool { return m.watch != nil && id != "" && m.watch.ID() == id }

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

// syncMWI makes the voicemail subscription what the settings, the account and its
// registration ask for: one to the account's user while it is registered (kept
// while it registers again), none otherwise.
func (p *Phone) syncMWI() {
	sub := p.cfg.Subscriber
	if sub == nil {
		return
	}
	sub.AcceptUnsolicited(mwiEvent, p.settings.Voicemail.Unsolicited)
	want := ""
	up := p.reg.State == api.RegRegistered || (p.mwi.watch != nil && p.reg.State == api.RegRegistering)
	if !p.settings.Voicemail.NoMWI && up && !p.stopping && p.acc.Username != "" {
		want = p.acc.Username + "@" + p.acc.Server
	}
	if want == p.mwi.target {
		return
	}
	if w := p.mwi.watch; w != nil {
		p.stopWatch(w)
	}
	p.mwi.watch, p.mwi.target = nil, ""
	p.setMWI(api.MWIState{})
	if want == "" {
		return
	}
	w, err := sub.Subscribe("", p.acc.Username, mwiEvent, mwiAccept)
	if err != nil {
		p.log.Warn("voicemail subscription", "err", err)
		return
	}
	p.mwi.watch, p.mwi.target = w, want
}

// onSummary reads a message-summary of the voicemail subscription, or an
// unsolicited one when they are taken.
func (p *Phone) onSummary(n Notification) {
	ours := p.mwi.owns(n.ID) || (n.ID == "" && p.settings.Voicemail.Unsolicited)
	if !ours || len(n.Body) == 0 { // an empty NOTIFY (pending, or the end) says nothing of the box
		return
	}
	s, err := presence.ParseSummary(n.Body)
	if err != nil {
		p.malformed(n, err)
		return
	}
	p.setMWI(api.MWIState{Waiting: s.Waiting, New: s.Voice.New, Old: s.Voice.Old,
		UrgentNew: s.Voice.UrgentNew, UrgentOld: s.Voice.UrgentOld, MessageAccount: s.Account})
}

// setMWI records the voicemail box and reports a change.
func (p *Phone) setMWI(st api.MWIState) {
	if st == p.mwi.state {
		return
	}
	p.mwi.state = st
	p.bus.Emit(api.EvMWI, st)
}
