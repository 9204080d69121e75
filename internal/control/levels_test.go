package control

import (
	"sync/atomic"
	"testing"
	"time"
)

// levelBackend is a fakeBackend that counts the level watches its connections hold.
type levelBackend struct {
	*fakeBackend
	watching atomic.Int32
	released chan struct{}
}

func (b *levelBackend) WatchLevels() func() {
	b.watching.Add(1)
	return func() {
		b.watching.Add(-1)
		b.released <- struct{}{}
	}
}

// A connection subscribed to audio.level holds one level watch in the engine, so the
// engine meters its microphone with no call; unsubscribing or leaving ends it.
func TestLevelsSubscriptionHoldsTheEnginesLevelWatch(t *testing.T) {
	b := &levelBackend{fakeBackend: newFakeBackend(), released: make(chan struct{}, 4)}
	s := startServer(t, Config{Token: testToken}, b, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws) // hello
	subscribe := func(levels string, want int32) {
		t.Helper()
		roundTrip(t, ws, `{"id":"s","cmd":"events.subscribe","args":{"levels":`+levels+`}}`)
		if n := b.watching.Load(); n != want {
			t.Fatalf("levels %s: %d level watches held, want %d", levels, n, want)
		}
	}
	subscribe("true", 1)
	subscribe("true", 1) // subscribing again holds the same watch
	subscribe("false", 0)
	<-b.released
	subscribe("true", 1)

	ws.Close()
	select {
	case <-b.released:
	case <-time.After(5 * time.Second):
		t.Fatal("the level watch was not released when the connection ended")
	}
	if n := b.watching.Load(); n != 0 {
		t.Errorf("%d level watches held after the connection ended", n)
	}
}
