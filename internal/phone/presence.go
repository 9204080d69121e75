package phone

import (
	"net"
	"unicode/utf8"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/presence"
)

// Presence (RFC 3856): the contacts' presence documents (PIDF, RFC 3863) read into
// Mizu's states and reported as presence.state; and our own, published (RFC 3903)
// while the account is registered when publishPresence is on: presenceStatus, or
// busy while a call is up (presenceBusyOnCall) and dnd while do not disturb is on,
// when the status is online.

// Presence are our presence settings.
type Presence struct {
	Status       string // api.PresenceOnline ... PresenceOffline; "" is online
	Publish      bool   // PUBLISH it
	NoBusyOnCall bool   // do not publish busy during calls (presenceBusyOnCall, on by default)
}

// ourPublication is the publication of our presence.
type ourPublication struct {
	pub    Publication
	status string // the status it carries
}

// applyPresence returns pr with the presence fields a sets (settingsave.go).
func applyPresence(pr Presence, a api.SettingsArgs) (Presence, error) {
	if a.PresenceStatus != nil {
		switch v := *a.PresenceStatus; v {
		case api.PresenceOnline, api.PresenceAway, api.PresenceDND, api.PresenceInvisible, api.PresenceOffline:
			pr.Status = v
		default:
			return Presence{}, api.BadArg("presenceStatus", "online, away, dnd, invisible or offline")
		}
	}
	if a.PublishPresence != nil {
		pr.Publish = *a.PublishPresence
	}
	if a.PresenceBusyOnCall != nil {
		pr.NoBusyOnCall = !*a.PresenceBusyOnCall
	}
	return pr, nil
}

// presenceStatus is the status set, online when none is.
func (s Settings) presenceStatus() string {
	if s.Presence.Status == "" {
		return api.PresenceOnline
	}
	return s.Presence.Status
}

// ourStatus is the status we publish now.
func (p *Phone) ourStatus() string {
	st := p.settings.presenceStatus()
	if st != api.PresenceOnline {
		return st
	}
	switch {
	case !p.settings.Presence.NoBusyOnCall && p.inCall():
		return api.PresenceBusy
	case p.settings.Policies.DND:
		return api.PresenceDND
	}
	return st
}

// inCall reports a call that is up or ringing.
func (p *Phone) inCall() bool {
	busy := false
	p.lines.each(func(c *call) { busy = busy || !c.preparing })
	return busy
}

// syncPublish makes our publication what the settings, the registration and the
// calls ask for.
func (p *Phone) syncPublish() {
	sub := p.cfg.Subscriber
	if sub == nil {
		return
	}
	up := p.reg.State == api.RegRegistered || (p.pub.pub != nil && p.reg.State == api.RegRegistering)
	want := p.settings.Presence.Publish && up && !p.stopping && p.acc.Username != ""
	switch {
	case !want && p.pub.pub != nil:
		p.stopWatch(p.pub.pub)
		p.pub = ourPublication{}
	case want && p.pub.pub == nil:
		status := p.ourStatus()
		doc, err := presence.BuildPIDF(p.entity(), status)
		if err != nil {
			p.log.Warn("presence document", "err", err)
			return
		}
		pub, err := sub.Publish(presenceEvent, presenceAccept, doc)
		if err != nil {
			p.log.Warn("presence publication", "err", err)
			return
		}
		p.pub = ourPublication{pub: pub, status: status}
	case want && p.pub.status != p.ourStatus():
		status := p.ourStatus()
		doc, err := presence.BuildPIDF(p.entity(), status)
		if err != nil {
			p.log.Warn("presence document", "err", err)
			return
		}
		p.pub.pub.Update(doc)
		p.pub.status = status
	}
}

// entity is our presentity's URI: the address of record.
func (p *Phone) entity() string {
	host := p.acc.Server
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return "sip:" + p.acc.Username + "@" + host
}

// onPresenceDocument reads a contact's PIDF document.
func (p *Phone) onPresenceDocument(k contactKey, n Notification) {
	doc, err := presence.ParsePIDF(n.Body)
	if err != nil {
		p.malformed(n, err)
		return
	}
	p.setPresence(api.PresenceState{Number: k.number, Account: k.account, State: doc.State(), Note: clip(doc.Note, maxReason)})
}

// setPresence records a contact's presence (by its account and number) and
// reports a change.
func (p *Phone) setPresence(st api.PresenceState) {
	k := contactKey{st.Account, st.Number}
	if old, ok := p.watches.presence[k]; ok && old == st {
		return
	}
	p.watches.presence[k] = st
	p.bus.Emit(api.EvPresence, st)
}

// unknownPresence is a contact's state once its subscription failed: NotExists
// when the server said there is no such user, Unknown otherwise.
func unknownPresence(c SubChange) string {
	if c.Code == 404 || c.Code == 604 {
		return presence.StateNotExists
	}
	return presence.StateUnknown
}

// clip cuts s to at most n bytes, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
