package phone

import (
	"context"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Subscriber subscribes to event packages of the account's server (RFC 6665). Its
// notifications and state changes come back to the actor as Notification and
// SubChange (the SIPAdapter posts them).
type Subscriber interface {
	// Subscribe starts a subscription to event for target (a URI, a user or a
	// number, completed with the account's domain) in the background, from the
	// account the SIP port names account ("" the default), accepting documents of
	// the accept types. It never waits on the network.
	Subscribe(account, target, event, accept string) (Watch, error)
	// AcceptUnsolicited makes NOTIFYs of event outside any subscription taken
	// (answered 200 and reported with no ID), or refused.
	AcceptUnsolicited(event string, on bool)
	// Publish starts publishing our state of event (RFC 3903) in the background;
	// its state changes come as SubChange with the publication's ID.
	Publish(event, contentType string, doc []byte) (Publication, error)
}

// Publication is our state of an event package, published.
type Publication interface {
	Watch
	// Update publishes doc in place of the document in force.
	Update(doc []byte)
}

// Watch is one running subscription.
type Watch interface {
	ID() string
	// Stop ends it, unsubscribing (Expires: 0) within ctx.
	Stop(ctx context.Context) error
}

// Notification is the document of a NOTIFY, already answered.
type Notification struct {
	ID          string // Watch.ID, or "" for an unsolicited NOTIFY
	Event       string
	Target      string
	State       string // the Subscription-State: active, pending or terminated
	ContentType string
	Body        []byte
}

// SubChange is a change of a subscription's state: api.SubActive, SubRetrying or
// SubTerminated.
type SubChange struct {
	ID, Event, Target, State string
	Code                     int
	Reason                   string
	Retry                    time.Duration
}

// stopWatchTimeout bounds the unsubscription of a watch no longer wanted.
const stopWatchTimeout = 5 * time.Second

// stopWatch ends w in a worker: the actor never waits on the network.
func (p *Phone) stopWatch(w Watch) {
	p.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, stopWatchTimeout)
		defer cancel()
		if err := w.Stop(ctx); err != nil {
			p.log.Info("unsubscribe", "err", err)
		}
	})
}

// dropWatches forgets every subscription and returns them, for the shutdown to end
// (actor.go) before it unregisters.
func (p *Phone) dropWatches() []Watch {
	var out []Watch
	for _, m := range p.mwi {
		if m.watch != nil {
			out = append(out, m.watch)
		}
		m.watch, m.target = nil, ""
	}
	for _, w := range p.watches.byKey {
		out = append(out, w)
	}
	if p.pub.pub != nil {
		out = append(out, p.pub.pub)
	}
	clear(p.watches.byKey)
	p.pub = ourPublication{}
	return out
}

// syncSubscriptions makes every subscription and our publication follow the
// settings, the account, its registration and the contact list.
func (p *Phone) syncSubscriptions() {
	p.syncMWI()
	p.syncWatches()
	p.syncPublish()
}

// onNotification hands a NOTIFY's document to what watches its event package.
func (p *Phone) onNotification(n Notification) {
	if n.Event == mwiEvent {
		p.onSummary(n)
		return
	}
	p.onContactNotification(n) // watches.go
}

// onSubChange reports a change of one of the engine's subscriptions.
func (p *Phone) onSubChange(c SubChange) {
	_, box := p.mwi.owner(c.ID)
	ours := box || (p.pub.pub != nil && p.pub.pub.ID() == c.ID) || p.onContactSubChange(c)
	if !ours {
		return
	}
	p.bus.Emit(api.EvSubscription, api.SubscriptionState{Event: c.Event, Target: c.Target, Account: p.subAccount(c.ID), State: c.State,
		Code: c.Code, Reason: c.Reason, Retry: int(c.Retry.Round(time.Second) / time.Second)})
}

// subAccount is the account (as the SIP port names it, "" the default) of the
// subscription with this id.
func (p *Phone) subAccount(id string) string {
	if account, ok := p.mwi.owner(id); ok {
		return account
	}
	if k, ok := p.watches.find(id); ok {
		return k.account
	}
	return ""
}

// maxReason bounds the text of a malformed document's error in an event.
const maxReason = 200

// malformed reports a notification whose document could not be read.
func (p *Phone) malformed(n Notification, err error) {
	reason := err.Error()
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	p.log.Info("notification ignored", "event", n.Event, "target", n.Target, "err", reason)
	p.bus.Emit(api.EvSubscription, api.SubscriptionState{Event: n.Event, Target: n.Target, Account: p.subAccount(n.ID), State: api.SubMalformed, Reason: reason})
}
