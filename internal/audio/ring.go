package audio

import "sync/atomic"

// Ring is a single-producer, single-consumer FIFO of int16 samples. It sits between
// an OS audio callback and the engine: Write and Read take no locks, never allocate
// and never block, so either side may run on a real-time thread.
//
// Exactly one goroutine may call Write and exactly one (possibly another) may call
// Read; Len, Cap and the counters may be called from anywhere. The two positions are
// free-running sample counts; the producer publishes with an atomic store after
// copying, the consumer after reading, which is all the ordering the buffer needs.
type Ring struct {
	buf []int16

	written atomic.Uint64 // samples ever written; only Write stores it
	read    atomic.Uint64 // samples ever read; only Read stores it

	overruns  atomic.Uint64
	underruns atomic.Uint64
}

// NewRing returns a ring that holds up to capacitySamples samples. It panics if
// capacitySamples is not positive, which is a programming error.
func NewRing(capacitySamples int) *Ring {
	if capacitySamples <= 0 {
		panic("audio: NewRing capacity must be positive")
	}
	return &Ring{buf: make([]int16, capacitySamples)}
}

// Write copies as much of p as fits and returns the number of samples copied. When
// not all of p fits, the tail of p is dropped and the overrun counter is incremented.
func (r *Ring) Write(p []int16) int {
	w := r.written.Load()
	free := len(r.buf) - int(w-r.read.Load())
	n := min(len(p), free)
	if n < len(p) {
		r.overruns.Add(1)
	}
	if n == 0 {
		return 0
	}
	start := int(w % uint64(len(r.buf)))
	copied := copy(r.buf[start:], p[:n])
	copy(r.buf, p[copied:n])
	r.written.Store(w + uint64(n))
	return n
}

// Read copies up to len(p) buffered samples into p and returns the number copied.
// When fewer than len(p) samples are buffered the rest of p is left untouched and the
// underrun counter is incremented.
func (r *Ring) Read(p []int16) int {
	rd := r.read.Load()
	avail := int(r.written.Load() - rd)
	n := min(len(p), avail)
	if n < len(p) {
		r.underruns.Add(1)
	}
	if n == 0 {
		return 0
	}
	start := int(rd % uint64(len(r.buf)))
	copied := copy(p[:n], r.buf[start:])
	copy(p[copied:n], r.buf)
	r.read.Store(rd + uint64(n))
	return n
}

// Len returns the number of samples buffered. Seen from another goroutine it is a
// snapshot that may already be stale.
func (r *Ring) Len() int {
	// Load read first: written only grows, so the difference never goes negative;
	// clamp because the consumer may have moved on between the two loads.
	rd := r.read.Load()
	return min(len(r.buf), int(r.written.Load()-rd))
}

// Cap returns the capacity in samples.
func (r *Ring) Cap() int { return len(r.buf) }

// Overruns returns how many Write calls had to drop samples because the ring was full.
func (r *Ring) Overruns() uint64 { return r.overruns.Load() }

// Underruns returns how many Read calls found fewer samples than requested.
func (r *Ring) Underruns() uint64 { return r.underruns.Load() }
