package phone

import (
	"sync"

	"github.com/wpservice/wpservice/internal/api"
)

// Bus numbers events and hands them to every watcher in order. State events are
// emitted only by the phone's actor goroutine, so a snapshot taken on the actor and a
// subscription made in the same step are consistent. Log, SIP-trace and audio.level
// events may come from any goroutine; they carry no state.
type Bus struct {
	mu     sync.Mutex
	seq    uint64
	nextID int
	sinks  map[int]func(api.Event)
	// changed is closed, and replaced, when a watcher comes or goes (watched.go)
	changed chan struct{}
}

// NewBus returns an empty bus; its seq starts at 0 and the first event is 1.
func NewBus() *Bus { return &Bus{sinks: map[int]func(api.Event){}, changed: make(chan struct{})} }

// Emit numbers one event and delivers it. Sinks must not block.
func (b *Bus) Emit(name string, data any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev := api.Event{Seq: b.seq, Event: name, Data: data}
	for _, sink := range b.sinks {
		sink(ev)
	}
}

// subscribe registers sink and returns the hello event numbered with the current seq.
func (b *Bus) subscribe(sink func(api.Event), hello api.Hello) (api.Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	b.sinks[id] = sink
	b.watchersChanged()
	cancel := func() {
		b.mu.Lock()
		delete(b.sinks, id)
		b.watchersChanged()
		b.mu.Unlock()
	}
	return api.Event{Seq: b.seq, Event: api.EvHello, Data: hello}, cancel
}
