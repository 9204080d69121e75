package phone

import "github.com/wpservice/wpservice/internal/sipstack"

// The SIPAdapter is the engine's Subscriber too: the stack's subscriptions
// (sipstack/subscribe.go) and their events.

// Subscribe starts a subscription through the stack.
func (a *SIPAdapter) Subscribe(account, target, event, accept string) (Watch, error) {
	sub, err := a.stack.Subscribe(sipstack.SubscribeOptions{Account: account, Target: target, Event: event, Accept: accept})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// AcceptUnsolicited tells the stack whether to take NOTIFYs of event outside a subscription.
func (a *SIPAdapter) AcceptUnsolicited(event string, on bool) { a.stack.AcceptUnsolicited(event, on) }

// Publish starts a publication through the stack.
func (a *SIPAdapter) Publish(event, contentType string, doc []byte) (Publication, error) {
	pub, err := a.stack.Publish(sipstack.PublishOptions{Event: event, ContentType: contentType, Body: doc})
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// subscriptionEvent posts a subscription's event to the actor; false when ev is
// not one.
func subscriptionEvent(p *Phone, ev sipstack.Event) bool {
	switch e := ev.(type) {
	case sipstack.Notified:
		n := Notification{ID: e.ID, Event: e.Event, Target: e.Target, State: e.State, ContentType: e.ContentType, Body: e.Body}
		p.post(func() { p.onNotification(n) })
	case sipstack.SubState:
		c := SubChange{ID: e.ID, Event: e.Event, Target: e.Target, State: e.State, Code: e.Code, Reason: e.Reason, Retry: e.Retry}
		p.post(func() { p.onSubChange(c) })
	default:
		return false
	}
	return true
}
