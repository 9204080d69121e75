package control

import (
	"sync"
	"time"
)

// statsSub is a connection's subscription to call.stats: the interval it asked
// for, the engine's watch it holds, and when it last got the event. The engine
// ticks at the shortest interval any connection asked for; each connection keeps
// the events due at its own.
type statsSub struct {
	mu    sync.Mutex
	every time.Duration // 0: not subscribed
	stop  func()        // ends the engine's watch
	last  time.Time     // when the last event was let through
}

// statsSlack lets an event through a little early: the engine's timer and the
// delivery do not keep exact time, and a tick a few ms short of the interval must
// not be skipped for a whole interval more.
const statsSlack = 10 // percent of the interval

// due reports whether a call.stats event arriving now is due for the connection,
// and if so counts it as delivered.
func (s *statsSub) due() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.every == 0 {
		return false
	}
	now := time.Now()
	if !s.last.IsZero() && now.Sub(s.last) < s.every-s.every*statsSlack/100 {
		return false
	}
	s.last = now
	return true
}

// watchStats subscribes the connection to call.stats every interval, or ends
// its subscription with 0, holding the engine's watch accordingly. The engine is
// called without s.mu held: its actor may be delivering an event, which takes it.
func (c *conn) watchStats(every time.Duration) {
	sw, _ := c.backend.(StatsWatcher)
	s := &c.stats
	s.mu.Lock()
	if every == s.every {
		s.mu.Unlock()
		return
	}
	old := s.stop
	s.every, s.last, s.stop = every, time.Time{}, nil
	s.mu.Unlock()
	if old != nil {
		old()
	}
	if every == 0 || sw == nil {
		return
	}
	stop := sw.WatchStats(every)
	s.mu.Lock()
	if s.every == every && s.stop == nil {
		s.stop, stop = stop, nil
	}
	s.mu.Unlock()
	if stop != nil {
		stop() // changed meanwhile
	}
}
