package sipstack

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Subscriptions (RFC 6665): Subscribe starts a loop that sends SUBSCRIBE for one
// resource and event package through the account's server (digest authentication as
// for REGISTER), refreshes it in its dialog before it expires, and starts a new
// dialog after a 481, a timeout, a failure or a NOTIFY that ended it, after a
// backoff with jitter (subpolicy.go). The NOTIFYs of its dialog are answered 200
// and reported as Notified events (notify.go); its state as SubState events. Stop
// ends it with a SUBSCRIBE of Expires: 0.

// SubscribeOptions names what to subscribe to.
type SubscribeOptions struct {
	Target  string // the resource: a URI, a user or a number (completed as a dial target is)
	Event   string // the event package: "message-summary", "presence", "dialog"
	Accept  string // the Accept header: the body types we read
	Expires int    // seconds to ask for; 0 is an hour
	Account string // the id of the account it is sent from; "" the default
}

// Subscription is one running subscription.
type Subscription struct {
	st     *Stack
	id     string
	opts   SubscribeOptions
	target sip.Uri
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	ended  chan subOutcome // a NOTIFY that terminated the subscription, for the loop

	stopOnce sync.Once
	stopErr  error

	mu      sync.Mutex
	dlg     subDialog
	stopped bool // Stop was called: NOTIFYs are answered, not reported
}

// subDialog is the dialog of the current SUBSCRIBE, new after each failure.
type subDialog struct {
	callID, fromTag, toTag string
	cseq                   uint32
	tp, ip                 string    // the transport and local address it uses
	remote                 sip.Uri   // the notifier's Contact (the remote target)
	routes                 []sip.Uri // the route set
}

// established reports whether the notifier's tag and Contact are known.
func (d *subDialog) established() bool { return d.toTag != "" }

// ID is the handle of the subscription in its events, stable across new dialogs.
func (sub *Subscription) ID() string { return sub.id }

// Subscribe starts a subscription in the background. Its progress comes as SubState
// events, the notifier's documents as Notified events.
// It goes from the account o.Account names, through that account's server and as
// its identity; an account the stack does not know is ErrNoAccount.
func (s *Stack) Subscribe(o SubscribeOptions) (*Subscription, error) {
	acc, ok := s.accountByID(o.Account)
	if !ok {
		return nil, ErrNoAccount
	}
	screened, err := ParseTarget(o.Target, acc)
	if err != nil {
		return nil, err
	}
	target, err := parseURI(screened)
	if err != nil {
		return nil, err
	}
	if o.Expires <= 0 {
		o.Expires = defaultSubExpires
	}
	sub := &Subscription{st: s, id: newTag(), opts: o, target: target,
		done: make(chan struct{}), ended: make(chan subOutcome, 1)}
	sub.log = s.log.With("subscription", sub.id, "event", o.Event, "target", target.String(), "account", o.Account)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(s.ctx)
	sub.cancel = cancel
	s.subs.add(sub)
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		sub.run(ctx)
	}()
	return sub, nil
}

// Stop ends the loop and, when a subscription stands, sends SUBSCRIBE with
// Expires: 0 in its dialog and waits for the answer or ctx. Only the first call
// does anything; the others return its error.
func (sub *Subscription) Stop(ctx context.Context) error {
	sub.stopOnce.Do(func() { sub.stopErr = sub.stop(ctx) })
	return sub.stopErr
}

func (sub *Subscription) stop(ctx context.Context) error {
	sub.mu.Lock()
	sub.stopped = true
	sub.mu.Unlock()
	sub.cancel()
	<-sub.done
	defer sub.st.subs.remove(sub)
	sub.mu.Lock()
	standing := sub.dlg.established()
	sub.mu.Unlock()
	if !standing {
		return nil
	}
	out := sub.subscribeOnce(ctx, 0)
	if out.Code < 200 || out.Code >= 300 {
		return &StatusError{Code: out.Code, Reason: "unsubscribe"}
	}
	return nil
}

// run is the subscription's loop: a SUBSCRIBE, then the wait for its refresh, a
// retry, or a NOTIFY that ended it.
func (sub *Subscription) run(ctx context.Context) {
	defer close(sub.done)
	failures := 0
	out := sub.subscribeOnce(ctx, sub.opts.Expires)
	for ctx.Err() == nil {
		step := nextSubStep(out, failures, rand.Float64())
		failures = step.Failures
		if step.NewDialog {
			sub.mu.Lock()
			sub.dlg = subDialog{}
			sub.mu.Unlock()
		}
		sub.report(out, step)
		if step.GiveUp {
			sub.log.Info("subscription refused for good", "code", out.Code, "reason", out.Terminated)
			return
		}
		if step.Wait > 0 {
			select {
			case <-ctx.Done():
				return
			case out = <-sub.ended:
				continue
			case <-sub.st.clock.After(step.Wait):
			}
		}
		out = sub.subscribeOnce(ctx, sub.opts.Expires)
	}
}

// report emits the subscription's state after out.
func (sub *Subscription) report(out subOutcome, step subStep) {
	ev := SubState{ID: sub.id, Event: sub.opts.Event, Target: sub.target.String(), Code: out.Code, Reason: out.Terminated}
	switch {
	case step.Active:
		ev.State, ev.Expires = SubActive, out.Granted
	case step.GiveUp:
		ev.State = SubTerminated
	default:
		ev.State, ev.Retry = SubRetrying, step.Wait
	}
	sub.st.emit(ev)
}

// subscribeOnce sends one SUBSCRIBE asking for expires seconds, answering digest
// challenges, each hop within a REGISTER's time, and learns the dialog from a 2xx.
func (sub *Subscription) subscribeOnce(ctx context.Context, expires int) subOutcome {
	acc, ok := sub.st.accountByID(sub.opts.Account)
	if !ok { // removed meanwhile: a failure, retried until the subscription stops
		return subOutcome{}
	}
	o, inDialog := sub.request(acc, expires)
	res, req, err := sub.st.sendOutOfDialog(ctx, o, sub.st.attemptTimeout())
	sub.mu.Lock()
	sub.dlg.cseq = max(sub.dlg.cseq, req.CSeq().SeqNo)
	sub.mu.Unlock()
	if err != nil {
		sub.log.Info("SUBSCRIBE failed", "error", err)
		return subOutcome{Code: errorOutcome(err).Code, InDialog: inDialog}
	}
	out := subOutcome{Code: res.StatusCode, InDialog: inDialog, RetryAfter: retryAfter(res)}
	if res.IsSuccess() {
		out.Granted = expires
		if h := res.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(h.Value()); err == nil && n >= 0 {
				out.Granted = n
			}
		}
		sub.answered(res)
	}
	return out
}

// answered learns the dialog from the 2xx of a SUBSCRIBE that created it: the
// notifier's tag, Contact and the route set (the Record-Route reversed). A NOTIFY
// that came first already did.
func (sub *Subscription) answered(res *sip.Response) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.dlg.established() {
		return
	}
	tag, _ := res.To().Params.Get("tag")
	var routes []sip.Uri
	for _, h := range res.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			routes = append([]sip.Uri{rr.Address}, routes...)
		}
	}
	sub.dlg.learn(tag, res.Contact(), routes)
}

// learn sets the dialog's remote side, once.
func (d *subDialog) learn(tag string, contact *sip.ContactHeader, routes []sip.Uri) {
	if tag == "" || contact == nil {
		return
	}
	d.toTag, d.remote, d.routes = tag, contact.Address, routes
}

// request builds the next SUBSCRIBE: in the dialog when one stands, else the first
// of a new dialog, to the resource through the account's proxy (outofdialog.go).
func (sub *Subscription) request(acc Account, expires int) (*outOfDialog, bool) {
	s := sub.st
	sub.mu.Lock()
	defer sub.mu.Unlock()
	d := &sub.dlg
	if d.callID == "" {
		d.callID, d.fromTag, d.cseq = newCallID(), newTag(), 0
	}
	d.cseq++
	inDialog := d.established()
	var o *outOfDialog
	if inDialog { // sent as the others are, but never to another hop
		o = &outOfDialog{req: sub.inDialog(acc), acc: acc, hasAcc: true, ip: d.ip}
	} else {
		o = s.newOutOfDialog(sip.SUBSCRIBE, sub.target, acc, true, requestIDs{callID: d.callID, fromTag: d.fromTag, cseq: d.cseq})
		d.tp, d.ip = o.transport(), o.ip
	}
	req := o.req
	contact := s.contact(acc.ID, d.tp, acc.Username, d.ip)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("Event", sub.opts.Event))
	if sub.opts.Accept != "" {
		req.AppendHeader(sip.NewHeader("Accept", sub.opts.Accept))
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	if inDialog {
		s.pinLocal(req)
	} else {
		s.route(o)
		d.tp = o.transport()
	}
	return o, inDialog
}

// inDialog begins a SUBSCRIBE in the standing dialog: to the notifier's Contact,
// through the dialog's route set. The caller holds sub.mu.
func (sub *Subscription) inDialog(acc Account) *sip.Request {
	d := &sub.dlg
	req := sip.NewRequest(sip.SUBSCRIBE, d.remote)
	req.SetTransport(d.tp)
	from := &sip.FromHeader{DisplayName: escapeDisplayName(acc.DisplayName), Address: aor(acc), Params: sip.NewParams()}
	from.Params.Add("tag", d.fromTag)
	to := &sip.ToHeader{Address: sip.Uri{Scheme: sub.target.Scheme, User: sub.target.User, Host: sub.target.Host, Port: sub.target.Port}, Params: sip.NewParams()}
	to.Params.Add("tag", d.toTag)
	callID := sip.CallIDHeader(d.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: d.cseq, MethodName: sip.SUBSCRIBE})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(sip.NewHeader("User-Agent", sub.st.cfg.UserAgent))
	for _, r := range d.routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	return req
}

// subscriptions are the running subscriptions.
type subscriptions struct {
	mu          sync.Mutex
	all         map[*Subscription]bool
	unsolicited map[string]bool // event packages whose NOTIFYs outside a dialog are taken (notify.go)
}

func (ss *subscriptions) add(sub *Subscription) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.all == nil {
		ss.all = map[*Subscription]bool{}
	}
	ss.all[sub] = true
}

func (ss *subscriptions) remove(sub *Subscription) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.all, sub)
}

// find is the subscription whose dialog has this Call-ID and our tag.
func (ss *subscriptions) find(callID, ourTag string) *Subscription {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for sub := range ss.all {
		sub.mu.Lock()
		match := sub.dlg.callID == callID && sub.dlg.fromTag == ourTag
		sub.mu.Unlock()
		if match {
			return sub
		}
	}
	return nil
}

// list is every running subscription.
func (ss *subscriptions) list() []*Subscription {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := make([]*Subscription, 0, len(ss.all))
	for sub := range ss.all {
		out = append(out, sub)
	}
	return out
}

// stopSubscriptions ends every subscription (Close): each unsubscribes, within ctx.
func (s *Stack) stopSubscriptions(ctx context.Context) {
	var wg sync.WaitGroup
	for _, sub := range s.subs.list() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = sub.Stop(ctx)
		}()
	}
	wg.Wait()
}

// unsubscribeTimeout bounds the unsubscriptions of Close.
const unsubscribeTimeout = 2 * time.Second
