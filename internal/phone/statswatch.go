package phone

import (
	"context"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// statsWatch runs the opt-in call.stats event: while at least one watcher wants
// it, a timer at the shortest interval any of them asked for; with none, no timer
// at all, so an idle engine does not wake for it. Actor-owned.
type statsWatch struct {
	every map[int]time.Duration // by watcher
	next  int                   // the next watcher's id
	timer *time.Timer
	gen   int // counts re-arms: a tick of an older timer is ignored
}

// WatchStats sends call.stats about every interval while calls have media, until
// stop is called. A connection subscribed with statsInterval holds one watch; with
// several, the event comes at the shortest interval and each connection keeps
// those it wants. stop may be called more than once, and after the engine stopped.
func (p *Phone) WatchStats(every time.Duration) (stop func()) {
	v, err := p.call(context.Background(), func() (any, error) {
		w := &p.statsWatch
		if w.every == nil {
			w.every = map[int]time.Duration{}
		}
		id := w.next
		w.next++
		w.every[id] = every
		p.armStats()
		return id, nil
	})
	if err != nil {
		return func() {}
	}
	id := v.(int)
	return sync.OnceFunc(func() {
		_, _ = p.call(context.Background(), func() (any, error) {
			delete(p.statsWatch.every, id)
			p.armStats()
			return nil, nil
		})
	})
}

// armStats (re)starts the timer at the shortest interval watched, or stops it
// when nobody watches.
func (p *Phone) armStats() {
	w := &p.statsWatch
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.gen++
	if len(w.every) == 0 {
		return
	}
	shortest := time.Duration(0)
	for _, d := range w.every {
		if shortest == 0 || d < shortest {
			shortest = d
		}
	}
	gen := w.gen
	w.timer = time.AfterFunc(shortest, func() {
		p.post(func() {
			if gen == p.statsWatch.gen {
				p.statsTick()
			}
		})
	})
}

// statsTick emits call.stats with the calls that have media, if any, and arms
// the next tick.
func (p *Phone) statsTick() {
	var ev api.CallStatsEvent
	p.lines.each(func(c *call) {
		if st, ok := statsOf(c); ok {
			ev.Calls = append(ev.Calls, st)
		}
	})
	if len(ev.Calls) > 0 {
		p.bus.Emit(api.EvCallStats, ev)
	}
	p.armStats()
}
