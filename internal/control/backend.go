package control

import (
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Backend is the engine as the control API sees it.
type Backend interface {
	// Handlers returns a handler (api.Handle) for every command declared in internal/api that control does
	// not answer itself: New fails when one is missing or doubled. A handler returns a result to marshal, or
	// an error wrapping one of api.Conditions or an *api.ArgError; control maps it to its wire code (wire.go).
	Handlers() []api.Handler
	// Watch subscribes sink to engine events and returns the hello event (Event "hello", Data api.Hello,
	// Seq = the last seq its snapshot reflects). Every later event (Seq > hello.Seq) goes to sink in order,
	// until cancel is called. sink is called from engine goroutines and must never block.
	Watch(sink func(api.Event)) (hello api.Event, cancel func())
}

// LevelWatcher is a Backend that runs its microphone and media clock only while
// something needs them. A connection subscribed to audio.level holds a watch, so that
// the engine reports levels with no call (a settings page's meter); stop ends it.
type LevelWatcher interface {
	WatchLevels() (stop func())
}

// StatsWatcher is a Backend that sends the opt-in call.stats event only while
// someone watches it. A connection subscribed with a statsInterval holds a watch
// of that interval; stop ends it.
type StatsWatcher interface {
	WatchStats(every time.Duration) (stop func())
}
