package sipstack

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Publications (RFC 3903): Publish starts a loop that sends our own state of one
// event package (our presence) with PUBLISH to our address of record through the
// account's server, refreshes it with its entity-tag before it expires, sends a new
// document in its place when Update gives one, and starts over without the tag
// after 412. Its state comes as SubState events (the same states a subscription
// has). Stop removes it (Expires: 0).

// PublishOptions describe a publication.
type PublishOptions struct {
	Event       string // the event package: "presence"
	ContentType string // the document's type: "application/pidf+xml"
	Body        []byte // the first document
	Expires     int    // seconds to ask for; 0 is an hour
}

// Publication is one running publication.
type Publication struct {
	st     *Stack
	id     string
	opts   PublishOptions
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	update chan []byte // a new document for the loop (the last one wins)

	stopOnce sync.Once
	stopErr  error

	mu      sync.Mutex
	etag    string // the server's SIP-ETag of our state; "" before or after a 412
	body    []byte // the document in force
	callID  string
	cseq    uint32
	expires int // asked for
}

// ID is the publication's handle in its SubState events.
func (p *Publication) ID() string { return p.id }

// Publish starts publishing o.Body in the background.
func (s *Stack) Publish(o PublishOptions) (*Publication, error) {
	if _, ok := s.account(); !ok {
		return nil, ErrNoAccount
	}
	if o.Expires <= 0 {
		o.Expires = defaultSubExpires
	}
	p := &Publication{st: s, id: newTag(), opts: o, done: make(chan struct{}), update: make(chan []byte, 1),
		body: o.Body, callID: newCallID(), expires: o.Expires}
	p.log = s.log.With("publication", p.id, "event", o.Event)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(s.ctx)
	p.cancel = cancel
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		p.run(ctx)
	}()
	return p, nil
}

// Update publishes body in place of the document in force.
func (p *Publication) Update(body []byte) {
	for {
		select {
		case p.update <- body:
			return
		case <-p.update: // an older one not yet sent: this one replaces it
		}
	}
}

// Stop ends the loop and removes the published state (PUBLISH with Expires: 0),
// waiting for the answer or ctx. Only the first call does anything.
func (p *Publication) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() {
		p.cancel()
		<-p.done
		p.mu.Lock()
		etag := p.etag
		p.mu.Unlock()
		if etag == "" {
			return
		}
		if code, _ := p.publishOnce(ctx, nil, 0); code < 200 || code >= 300 {
			p.stopErr = &StatusError{Code: code, Reason: "unpublish"}
		}
	})
	return p.stopErr
}

// run is the publication's loop.
func (p *Publication) run(ctx context.Context) {
	defer close(p.done)
	failures := 0
	body := p.body
	for ctx.Err() == nil {
		code, granted := p.publishOnce(ctx, body, p.currentExpires())
		if ctx.Err() != nil {
			return
		}
		body = nil // a refresh carries no document
		step := nextPubStep(p, code, granted, failures)
		failures = step.Failures
		if step.again {
			body = p.document()
			continue
		}
		p.report(code, granted, step)
		if step.GiveUp {
			p.log.Info("publication refused", "code", code)
			return
		}
		select {
		case <-ctx.Done():
			return
		case body = <-p.update:
			p.mu.Lock()
			p.body = body
			p.mu.Unlock()
			if step.NewDialog { // not published: publish the new document afresh
				continue
			}
		case <-p.st.clock.After(step.Wait):
			if step.NewDialog {
				body = p.document()
			}
		}
	}
}

// pubStep is a subStep with what only a publication does: send again at once,
// without the tag (412) or with a longer expiry (423).
type pubStep struct {
	subStep
	again bool
}

// nextPubStep decides what follows a PUBLISH answered code (0: no answer).
func nextPubStep(p *Publication, code, granted, failures int) pubStep {
	switch {
	case code == 412 && failures < 3: // the server lost our state: publish it afresh
		p.mu.Lock()
		p.etag = ""
		p.mu.Unlock()
		return pubStep{subStep: subStep{Failures: failures + 1}, again: true}
	case code == 423 && failures < 3:
		return pubStep{subStep: subStep{Failures: failures + 1}, again: true}
	case code == 405 || code == 501:
		return pubStep{subStep: subStep{GiveUp: true, Failures: failures + 1}}
	}
	step := nextSubStep(subOutcome{Code: code, Granted: granted}, failures, rand.Float64())
	if !step.Active {
		p.mu.Lock()
		p.etag = ""
		p.mu.Unlock()
	}
	return pubStep{subStep: step}
}

// report emits the publication's state.
func (p *Publication) report(code, granted int, step pubStep) {
	ev := SubState{ID: p.id, Event: p.opts.Event, Code: code}
	if acc, ok := p.st.account(); ok {
		me := aor(acc)
		ev.Target = me.String()
	}
	switch {
	case step.Active:
		ev.State, ev.Expires = SubActive, granted
	case step.GiveUp:
		ev.State = SubTerminated
	default:
		ev.State, ev.Retry = SubRetrying, step.Wait
	}
	p.st.emit(ev)
}

// document is the document in force.
func (p *Publication) document() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.body
}

func (p *Publication) currentExpires() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.expires
}

// publishOnce sends one PUBLISH of body (nil: a refresh, or with expires 0 the
// removal) and returns its final status (0 without one) and the expiry granted. It
// learns the entity-tag of a 2xx and the Min-Expires of a 423.
func (p *Publication) publishOnce(ctx context.Context, body []byte, expires int) (code, granted int) {
	acc, ok := p.st.account()
	if !ok {
		return 0, 0
	}
	res, req, err := p.st.sendOutOfDialog(ctx, p.request(acc, body, expires), p.st.attemptTimeout())
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cseq = max(p.cseq, req.CSeq().SeqNo)
	if err != nil {
		p.log.Info("PUBLISH failed", "error", err)
		return errorOutcome(err).Code, 0
	}
	switch {
	case res.IsSuccess():
		granted = expires
		if h := res.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
				granted = n
			}
		}
		if h := res.GetHeader("SIP-ETag"); h != nil {
			p.etag = strings.TrimSpace(h.Value())
		}
	case res.StatusCode == 423:
		if h := res.GetHeader("Min-Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > p.expires {
				p.expires = n
			}
		}
	}
	return res.StatusCode, granted
}

// request builds a PUBLISH to our address of record (outofdialog.go).
func (p *Publication) request(acc Account, body []byte, expires int) *outOfDialog {
	s := p.st
	p.mu.Lock()
	p.cseq++
	cseq, etag, callID := p.cseq, p.etag, p.callID
	p.mu.Unlock()
	me := aor(acc)
	target := me
	// Our address as a dial target names the server as a call to us would (its
	// port too), which the address of record alone may not.
	if screened, err := ParseTarget(acc.Username, acc); err == nil {
		if u, err := parseURI(screened); err == nil {
			target = u
		}
	}
	o := s.newOutOfDialog(sip.PUBLISH, target, acc, true, requestIDs{callID: callID, cseq: cseq, to: &me})
	req := o.req
	req.AppendHeader(sip.NewHeader("Event", p.opts.Event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	if etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", etag))
	}
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", p.opts.ContentType))
		req.SetBody(body)
	}
	s.route(o)
	return o
}
