package phone

import "time"

// housekeepingPeriod is how often the actor looks for calls whose RTP has stopped.
const housekeepingPeriod = time.Second

// housekeeping is the actor's periodic tick for the work only calls need (the RTP
// timeout). It runs only while a call exists, so an idle engine is never woken by it.
// Owned by the actor.
type housekeeping struct {
	ticker *time.Ticker // nil while stopped
}

// tick is the channel the actor selects on: nil, which never delivers, while stopped.
func (h *housekeeping) tick() <-chan time.Time {
	if h.ticker == nil {
		return nil
	}
	return h.ticker.C
}

// running reports whether the tick runs.
func (h *housekeeping) running() bool { return h.ticker != nil }

// need starts the tick when on and it is stopped, and stops it when off.
func (h *housekeeping) need(on bool) {
	switch {
	case on && h.ticker == nil:
		h.ticker = time.NewTicker(housekeepingPeriod)
	case !on && h.ticker != nil:
		h.ticker.Stop()
		h.ticker = nil
	}
}
