package media

import (
	"sync"

	"github.com/pion/rtp"
)

// Jitter buffer defaults, in 20 ms frames.
const (
	DefaultJitterTarget = 3  // 60 ms of playout delay
	DefaultJitterMax    = 16 // 320 ms: beyond this the oldest frames are dropped
)

// resyncGap is the sequence jump, in packets, beyond which a packet is taken as a
// restart of the sender (new sequence space without an SSRC change) rather than as
// very late or very early: the buffer resets to it instead of counting losses.
const resyncGap = 500

// JitterStats are the JitterBuffer's counters since it was created.
type JitterStats struct {
	Lost      uint64 // sequence numbers that were due for playout but never arrived
	Late      uint64 // packets that arrived after their slot was played or skipped
	Duplicate uint64 // packets whose sequence number was already buffered
	Overflow  uint64 // buffered packets dropped because the buffer was full
	Resets    uint64 // restarts on an SSRC change or a sequence jump
}

// JitterBuffer reorders RTP packets by sequence number and releases them one per
// Pop at a fixed playout delay. Playout starts (and restarts after an underrun)
// once Target frames are buffered, so Pop returns nothing until then. A missing
// packet whose successors have arrived is declared lost when its turn comes.
//
// Sequence numbers are compared in 16-bit serial arithmetic, so wrap-around is
// seamless. A packet from a new SSRC resets the buffer. Put and Pop may be called
// from different goroutines.
type JitterBuffer struct {
	target int

	mu      sync.Mutex
	slots   []*rtp.Packet // ring; slots[(head+i)%len] holds sequence next+i
	head    int
	next    uint16 // sequence number Pop releases next
	depth   int    // sequence numbers from next up to the highest buffered, inclusive
	count   int    // packets actually held
	ssrc    uint32
	started bool // a first packet fixed ssrc and next
	popped  bool // playout has moved past the first sequence number
	playing bool // Target reached; Pop releases packets
	stats   JitterStats
}

// NewJitterBuffer returns a buffer with a playout delay of target frames holding
// at most size frames. Non-positive values take the defaults; size is raised to
// target when smaller.
func NewJitterBuffer(target, size int) *JitterBuffer {
	if target <= 0 {
		target = DefaultJitterTarget
	}
	if size <= 0 {
		size = DefaultJitterMax
	}
	return &JitterBuffer{target: target, slots: make([]*rtp.Packet, max(size, target))}
}

// Put adds a packet. The buffer keeps p; the caller must not reuse it.
func (j *JitterBuffer) Put(p *rtp.Packet) {
	j.mu.Lock()
	defer j.mu.Unlock()

	if !j.started || p.SSRC != j.ssrc {
		j.reset(p)
	}
	delta := int(int16(p.SequenceNumber - j.next))
	if delta < -resyncGap || delta > resyncGap {
		j.reset(p)
		delta = 0
	}
	if delta < 0 && !j.popped && j.depth-delta <= len(j.slots) {
		// Reordered before playout began: move the start back to include it.
		j.head = j.slot(len(j.slots) + delta)
		j.next = p.SequenceNumber
		j.depth -= delta
		delta = 0
	}
	if delta < 0 {
		j.stats.Late++
		return
	}
	if delta >= len(j.slots) {
		j.skip(delta - len(j.slots) + 1)
		delta = len(j.slots) - 1
	}
	slot := j.slot(delta)
	if j.slots[slot] != nil {
		j.stats.Duplicate++
		return
	}
	j.slots[slot] = p
	j.count++
	j.depth = max(j.depth, delta+1)
	if j.depth >= j.target {
		j.playing = true
	}
}

// Pop returns the packet due now. It returns false while the buffer fills up to
// its target, on an underrun (which restarts the filling), and for a lost packet.
func (j *JitterBuffer) Pop() (*rtp.Packet, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()

	if !j.playing {
		return nil, false
	}
	if j.depth == 0 {
		// Nothing due and nothing after it: the sender paused or runs slow.
		// Refill to the target rather than counting every tick as a loss.
		j.playing = false
		return nil, false
	}
	p := j.slots[j.head]
	if p == nil {
		j.stats.Lost++
	}
	j.advance()
	return p, p != nil
}

// Len reports the number of packets held.
func (j *JitterBuffer) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.count
}

// Stats returns a copy of the counters.
func (j *JitterBuffer) Stats() JitterStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.stats
}

// Reset empties the buffer; the next Put starts a new stream.
func (j *JitterBuffer) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.clear()
	j.started = false
}

// reset restarts the buffer on p's SSRC and sequence number.
func (j *JitterBuffer) reset(p *rtp.Packet) {
	if j.started {
		j.stats.Resets++
	}
	j.clear()
	j.started = true
	j.ssrc = p.SSRC
	j.next = p.SequenceNumber
}

func (j *JitterBuffer) clear() {
	clear(j.slots)
	j.head, j.depth, j.count = 0, 0, 0
	j.playing, j.popped = false, false
}

// skip drops the n oldest sequence numbers to make room at the far end.
func (j *JitterBuffer) skip(n int) {
	for range n {
		if j.slots[j.head] != nil {
			j.stats.Overflow++
		} else {
			j.stats.Lost++
		}
		j.advance()
	}
}

// advance moves the playout cursor one sequence number on.
func (j *JitterBuffer) advance() {
	if j.slots[j.head] != nil {
		j.slots[j.head] = nil
		j.count--
	}
	j.head = (j.head + 1) % len(j.slots)
	j.next++
	j.popped = true
	if j.depth > 0 {
		j.depth--
	}
}

func (j *JitterBuffer) slot(delta int) int {
	return (j.head + delta) % len(j.slots)
}
