package phone

import (
	"context"
	"slices"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// The actor is the one goroutine that owns the engine's state. Everything else talks
// to it through its inbox: commands and watchers wait for an answer (request), SIP and
// media happenings and the engine's own workers only post. Every wait on the actor
// also watches for its end, so nothing outside can hang on a stopped engine.

// shutdownGrace bounds the goodbyes (BYE, CANCEL, unregistration) when the engine stops.
const shutdownGrace = 1500 * time.Millisecond

// answer completes a request with its result. The actor calls it exactly once, at
// once or later (call.hold answers when the peer has).
type answer func(result any, err error)

// Run runs the actor until ctx is cancelled, then shuts down: every call is hung up
// and the account unregistered, within about two seconds. The media clock and the
// sound device run only while something needs them (audiouse.go). Run returns once
// every goroutine the engine started has ended and the sound device is released.
func (p *Phone) Run(ctx context.Context) error {
	if p.acc.Configured() {
		if err := p.cfg.SIP.SetAccount(p.acc); err != nil {
			p.log.Warn("account not usable", "err", err)
		} else if p.acc.Register {
			p.startRegister()
		}
	}
	p.startExtras()
	p.serve(ctx)
	p.serveUntil(p.shutdown())
	p.setAudio(audioNeed{})
	close(p.done) // from here on every request gets ErrStopped
	p.stopWork()
	p.workers.Wait()
	return nil
}

// serve handles the inbox and, while calls exist, the housekeeping, until ctx is
// done. Idle, the actor sleeps until a message comes.
func (p *Phone) serve(ctx context.Context) {
	defer p.housekeeping.need(false)
	for {
		select {
		case f := <-p.inbox:
			f()
		case <-p.housekeeping.tick():
			p.checkRTPTimeouts()
		case <-p.netChanges():
			p.followNetwork()
		case <-ctx.Done():
			return
		}
		p.housekeeping.need(p.lines.count() > 0)
	}
}

// serveUntil keeps handling the inbox while the engine says goodbye, until finished
// is closed: requests are answered (refused, the engine is stopping) rather than left
// waiting.
func (p *Phone) serveUntil(finished <-chan struct{}) {
	for {
		select {
		case f := <-p.inbox:
			f()
		case <-finished:
			return
		}
	}
}

// post queues f for the actor. It reports false once the actor has stopped.
func (p *Phone) post(f func()) bool {
	select {
	case p.inbox <- f:
		return true
	case <-p.done:
		return false
	}
}

// request runs start on the actor and waits for the answer it gives. It gives up when
// ctx ends or the engine stops.
func (p *Phone) request(ctx context.Context, start func(answer)) (any, error) {
	type reply struct {
		v   any
		err error
	}
	ch := make(chan reply, 1)
	f := func() { start(func(v any, err error) { ch <- reply{v, err} }) }
	select {
	case p.inbox <- f:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		return nil, ErrStopped
	}
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		select { // the actor may have answered just before it stopped
		case r := <-ch:
			return r.v, r.err
		default:
			return nil, ErrStopped
		}
	}
}

// call runs f on the actor and returns its result.
func (p *Phone) call(ctx context.Context, f func() (any, error)) (any, error) {
	return p.request(ctx, func(done answer) { done(f()) })
}

// goWork runs f on a goroutine of its own for work that must not hold up the actor
// (a BYE, a re-INVITE, an unregistration). Its ctx is cancelled once the engine has
// stopped, and Run waits for f to return. Only the actor calls goWork.
func (p *Phone) goWork(f func(ctx context.Context)) {
	p.workers.Go(func() { f(p.work) })
}

// after runs f on the actor once d has passed, unless the returned cancel comes first
// or the engine stops. Only the actor calls after.
func (p *Phone) after(d time.Duration, f func()) (cancel func()) {
	ctx, cancel := context.WithCancel(p.work)
	p.goWork(func(context.Context) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			p.post(func() {
				if ctx.Err() == nil { // not cancelled while f waited in the inbox
					cancel()
					f()
				}
			})
		case <-ctx.Done():
		}
	})
	return cancel
}

// trackHangup keeps the CANCEL or BYE that closes done in p.hangups, for the
// shutdown to wait for, and forgets those that have finished.
func (p *Phone) trackHangup(done <-chan struct{}) {
	p.hangups = slices.DeleteFunc(p.hangups, closed)
	p.hangups = append(p.hangups, done)
}

// closed reports whether ch is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// shutdown starts the goodbyes: every call is ended (BYE, CANCEL or a final
// response), then the account unregistered. The returned channel is closed when they
// are done, or after shutdownGrace.
func (p *Phone) shutdown() <-chan struct{} {
	p.stopping = true
	p.lines.each(func(c *call) { p.apply(c, inShutdown, 0, "engine stopping") })
	hangups := slices.Clone(p.hangups) // those just sent and those still in flight from before
	unregister := p.reg.State == api.RegRegistered || p.reg.State == api.RegRegistering
	watches := p.dropWatches() // subscriber.go
	finished := make(chan struct{})
	p.goWork(func(ctx context.Context) {
		defer close(finished)
		ctx, cancel := context.WithTimeout(ctx, shutdownGrace)
		defer cancel()
		for _, done := range hangups {
			select {
			case <-done:
			case <-ctx.Done():
			}
		}
		for _, w := range watches {
			if err := w.Stop(ctx); err != nil {
				p.log.Info("unsubscribe on shutdown", "err", err)
			}
		}
		if !unregister {
			return
		}
		if err := p.cfg.SIP.Unregister(ctx); err != nil {
			p.log.Warn("unregister on shutdown", "err", err)
		}
	})
	return finished
}
