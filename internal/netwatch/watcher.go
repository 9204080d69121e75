// Package netwatch tells the engine when the machine's network changes: an address
// comes or goes, or a route (the default route among them) moves. It listens to the
// system: the kernel's routing netlink groups on Linux, the routing socket on macOS,
// the IP Helper's change notifications on Windows. Elsewhere, or when those cannot be
// opened, it polls the interfaces' addresses. A change comes as a burst of messages (an
// address, its prefix route, the link), so the watcher reports once the burst has
// settled, not once per message.
package netwatch

import (
	"context"
	"log/slog"
	"time"
)

// Timing of the reports.
const (
	// settle is how long the network must stay quiet before a burst is reported.
	settle = 300 * time.Millisecond
	// maxDelay bounds the wait for quiet, so a flapping link is still reported.
	maxDelay = 2 * time.Second
	// pollInterval is how often the addresses are compared where nothing notifies.
	pollInterval = 2 * time.Second
)

// Watcher reports changes of the machine's addresses and routes on Changes. Create it
// with New and run it with Run.
type Watcher struct {
	log       *slog.Logger
	changes   chan struct{}
	listening chan struct{} // closed once Run hears the system (for tests)
}

// New returns a watcher that reports nothing until Run. A nil log discards.
func New(log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{log: log.With("component", "netwatch"), changes: make(chan struct{}, 1), listening: make(chan struct{})}
}

// Changes receives a value after each settled change. Changes that come while the
// last one is still unread are folded into it.
func (w *Watcher) Changes() <-chan struct{} { return w.changes }

// Run watches until ctx ends and returns once it has stopped watching.
func (w *Watcher) Run(ctx context.Context) {
	raw := make(chan struct{}, 1)
	stop, err := listen(ctx, raw)
	if err != nil {
		w.log.Info("no change notifications; polling the addresses", "err", err, "every", pollInterval)
		stop = poll(ctx, raw, pollInterval)
	}
	defer stop()
	close(w.listening)
	debounce(ctx, raw, w.changes, settle, maxDelay)
}

// signal puts a value in ch unless one is already waiting there.
func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
