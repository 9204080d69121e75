package control

import (
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

// statsBackend is a fakeBackend that records the stats watches its connections
// hold, by interval.
type statsBackend struct {
	*fakeBackend
	mu       sync.Mutex
	watching map[time.Duration]int
}

func (b *statsBackend) WatchStats(every time.Duration) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.watching[every]++
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.watching[every]--; b.watching[every] == 0 {
			delete(b.watching, every)
		}
	}
}

func (b *statsBackend) watches() map[time.Duration]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[time.Duration]int{}
	for k, v := range b.watching {
		out[k] = v
	}
	return out
}

// nextStatsEvent reads events until one that is not a response.
func nextStatsEvent(t *testing.T, ws *websocket.Conn) wire {
	t.Helper()
	for {
		if m := readWire(t, ws); m.Event != "" {
			return m
		}
	}
}

// A connection subscribed with statsInterval holds the engine's stats watch of
// that interval and gets call.stats at most once an interval; one not
// subscribed gets none; an interval out of range is refused.
func TestStatsSubscription(t *testing.T) {
	b := &statsBackend{fakeBackend: newFakeBackend(), watching: map[time.Duration]int{}}
	s := startServer(t, Config{Token: testToken}, b, nil)
	sub := dialWS(t, s, ownOrigin(s))
	readWire(t, sub) // hello
	other := dialWS(t, s, ownOrigin(s))
	readWire(t, other)

	for _, bad := range []string{"-1", "3601"} {
		m := roundTrip(t, sub, `{"id":"s","cmd":"events.subscribe","args":{"statsInterval":`+bad+`}}`)
		if m.OK || m.Error.Code != api.CodeInvalidArgs {
			t.Errorf("statsInterval %s: %+v", bad, m)
		}
	}
	if w := b.watches(); len(w) != 0 {
		t.Fatalf("watches after refused subscriptions: %v", w)
	}
	if m := roundTrip(t, sub, `{"id":"s","cmd":"events.subscribe","args":{"statsInterval":60}}`); !m.OK {
		t.Fatalf("subscribe: %+v", m)
	}
	if w := b.watches(); w[time.Minute] != 1 || len(w) != 1 {
		t.Fatalf("watches %v, want one of 1m", w)
	}

	b.emit(api.EvCallStats, api.CallStatsEvent{Calls: []api.CallStats{{CallID: "c1"}}})
	b.emit(api.EvCallStats, api.CallStatsEvent{Calls: []api.CallStats{{CallID: "c1"}}}) // within the minute
	b.emit(api.EvLineSelected, api.LineSelected{Line: 1})
	if m := nextStatsEvent(t, sub); m.Event != api.EvCallStats {
		t.Fatalf("subscriber's first event %q, want call.stats", m.Event)
	}
	if m := nextStatsEvent(t, sub); m.Event != api.EvLineSelected {
		t.Fatalf("subscriber got %q within its interval, want line.selected next", m.Event)
	}
	if m := nextStatsEvent(t, other); m.Event != api.EvLineSelected {
		t.Fatalf("a connection not subscribed got %q", m.Event)
	}

	roundTrip(t, sub, `{"id":"s","cmd":"events.subscribe","args":{}}`)
	if w := b.watches(); len(w) != 0 {
		t.Fatalf("watches after unsubscribing: %v", w)
	}
	roundTrip(t, sub, `{"id":"s","cmd":"events.subscribe","args":{"statsInterval":5}}`)
	sub.Close()
	deadline := time.Now().Add(5 * time.Second)
	for len(b.watches()) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("watches after the connection ended: %v", b.watches())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
