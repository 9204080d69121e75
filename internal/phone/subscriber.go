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
	// number, completed with the account's domain) in the background, accepting
	// documents of the accept types. It never waits on the network.
	Subscribe(target, event, accept string) (Watch, error)
	// AcceptUnsolicited makes NOTIFYs of event outside any subscription taken
	// (answered 200 and reported with no ID), or refused.
	AcceptUnsolicited(event string, on bool)
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
	if p.mwi.watch != nil {
		out = append(out, p.mwi.watch)
	}
	p.mwi.watch, p.mwi.target = nil, ""
	return out
}

// onNotification hands a NOTIFY's document to what watches its event package.
func (p *Phone) onNotification(n Notification) {
	if n.Event == mwiEvent {
		p.onSummary(n)
	}
}

// onSubChange reports a change of one of the engine's subscriptions.
func (p *Phone) onSubChange(c SubChange) {
	if !p.mwi.owns(c.ID) {
		return
	}
	p.bus.Emit(api.EvSubscription, api.SubscriptionState{Event: c.Event, Target: c.Target, State: c.State,
		Code: c.Code, Reason: c.Reason, Retry: int(c.Retry.Round(time.Second) / time.Second)})
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
	p.bus.Emit(api.EvSubscription, api.SubscriptionState{Event: n.Event, Target: n.Target, State: api.SubMalformed, Reason: reason})
}
