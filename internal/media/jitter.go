package media

import (
	"math"
	"slices"
	"sync"

	"github.com/pion/rtp"
)

// Jitter buffer defaults, in 20 ms frames.
const (
	DefaultJitterTarget = 3  // 60 ms of playout delay, until the arrivals say otherwise
	DefaultJitterMax    = 16 // 320 ms: beyond this the oldest frames are dropped
	// The bounds the adaptive target moves within.
	DefaultJitterMinTarget = 2  // 40 ms
	DefaultJitterMaxTarget = 12 // 240 ms
)

// The adaptive target: the spread of the packets' delays over the last
// delayWindow packets (4 s), at the delayQuantile, in frames, rounded up, plus
// one frame. It is recomputed every recomputeEvery packets, and rises at once
// when a packet comes later than the target allows.
const (
	delayWindow    = 200
	delayQuantile  = 0.95
	recomputeEvery = 10
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
	// Adaptation: frames dropped (in silence) to shorten the delay, and frames
	// inserted (concealment, in silence) to lengthen it.
	Dropped  uint64
	Inserted uint64
}

// JitterBuffer reorders RTP packets by sequence number and releases them one per
// Pop at a playout delay, its target, that follows the network: packets put
// with their transit (PutTransit) set it to what the spread of recent delays
// needs, within the bounds SetTargetBounds gives. The player moves the delay
// towards the target as Adjust says, by dropping or inserting a frame where
// the audio is quiet, so that the change is not heard. Playout starts (and restarts after an underrun)
// once Target frames are buffered, so Pop returns nothing until then. A missing
// packet whose successors have arrived is declared lost when its turn comes.
//
// Sequence numbers are compared in 16-bit serial arithmetic, so wrap-around is
// seamless. A packet from a new SSRC resets the buffer. Put and Pop may be called
// from different goroutines.
type JitterBuffer struct {
	target               int
	minTarget, maxTarget int

	mu      sync.Mutex
	size    int        // the audio the buffer holds at most, in frames
	slots   []buffered // ring; slots[(head+i)%len] holds sequence next+i
	out     rtp.Packet // what Pop returned last, its payload's memory reused
	peek    rtp.Packet // what Next returned last, likewise
	head    int
	next    uint16 // sequence number Pop releases next
	depth   int    // sequence numbers from next up to the highest buffered, inclusive
	count   int    // packets actually held
	ssrc    uint32
	started bool // a first packet fixed ssrc and next
	popped  bool // playout has moved past the first sequence number
	playing bool // Target reached; Pop releases packets
	stats   JitterStats

	transits   []float64 // ring of the last delayWindow packets' transits, in frames
	transitAt  int       // the next slot
	transitN   int       // filled slots
	sorted     []float64 // scratch for the quantile
	sinceCheck int       // packets since the target was last recomputed
	spread     float64   // the last quantile of the delays, in frames
	hold       int       // a target a late packet asked for, kept ...
	holdLeft   int       // ... for this many more packets

	// packetFrames is the audio one packet carries, in frames: 1 for 20 ms
	// packets, 0.5 for 10 ms, 3 for 60 ms. The target, the bounds and the
	// size are durations, in frames; the depth is counted in packets, and
	// the ring has a slot for each packet of size frames at the shortest
	// packets seen.
	packetFrames float64
}

// buffered is a slot of the ring: a copy of a packet put, in memory the slot
// keeps and reuses, so that buffering allocates nothing once every slot has
// held a packet.
type buffered struct {
	pkt  rtp.Packet
	full bool
}

// NewJitterBuffer returns a buffer with a playout delay of target frames holding
// at most size frames of audio, whatever the packets' length. Non-positive
// values take the defaults; size is raised to target when smaller.
func NewJitterBuffer(target, size int) *JitterBuffer {
	if target <= 0 {
		target = DefaultJitterTarget
	}
	if size <= 0 {
		size = DefaultJitterMax
	}
	size = max(size, target)
	return &JitterBuffer{
		target: target, minTarget: DefaultJitterMinTarget, maxTarget: DefaultJitterMaxTarget,
		packetFrames: 1,
		size:         size,
		slots:        make([]buffered, size),
		transits:     make([]float64, delayWindow),
		sorted:       make([]float64, delayWindow),
	}
}

// SetTargetBounds bounds the adaptive target, in frames: at least 1, and at
// most the buffer's size. Zero keeps a bound's default.
func (j *JitterBuffer) SetTargetBounds(lo, hi int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if lo > 0 {
		j.minTarget = lo
	}
	if hi > 0 {
		j.maxTarget = hi
	}
	j.maxTarget = min(max(j.maxTarget, 1), j.size)
	j.minTarget = min(max(j.minTarget, 1), j.maxTarget)
}

// PutTransit adds a packet as Put does, with its transit: its arrival time
// less its RTP timestamp, in frames, from any fixed origin. The spread of the
// transits of recent packets sets the target.
func (j *JitterBuffer) PutTransit(p *rtp.Packet, transit float64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started && p.SSRC != j.ssrc {
		j.transitN, j.transitAt = 0, 0 // a new source, a new clock
	}
	j.transits[j.transitAt] = transit
	j.transitAt = (j.transitAt + 1) % len(j.transits)
	j.transitN = min(j.transitN+1, len(j.transits))
	j.sinceCheck++
	j.holdLeft = max(j.holdLeft-1, 0)
	if late := transit - j.minTransit(); j.transitN > 1 && late > float64(j.target-1) {
		// Later than the target allows: rise at once, and keep that target
		// as long as the packet is in the window.
		j.hold, j.holdLeft = frames(late), delayWindow
		j.sinceCheck = recomputeEvery
	}
	if j.sinceCheck >= recomputeEvery {
		j.sinceCheck = 0
		j.retarget()
	}
	j.put(p)
}

// frames is the target a delay spread needs: whole frames to cover it, and
// the frame being played.
func frames(spread float64) int {
	return int(math.Ceil(spread-0.05)) + 1
}

// retarget sets the target from the spread of the recent transits.
func (j *JitterBuffer) retarget() {
	if j.transitN < 2 {
		return
	}
	lo := j.minTransit()
	d := j.sorted[:j.transitN]
	for i := range d {
		d[i] = j.transits[i] - lo
	}
	slices.Sort(d)
	j.spread = d[min(int(delayQuantile*float64(len(d))), len(d)-1)]
	want := frames(j.spread)
	if j.holdLeft > 0 {
		want = max(want, j.hold)
	}
	j.target = min(max(want, j.minTarget), j.maxTarget)
}

func (j *JitterBuffer) minTransit() float64 {
	return slices.Min(j.transits[:j.transitN])
}

// Adjust tells the player how the delay should move now: +1 when the buffer
// holds less than its target (insert a frame before the next, if the audio is
// quiet), -1 when it holds more than a frame above it (drop the next frame, if
// quiet), 0 otherwise. The player reports what it did with Dropped or Inserted.
func (j *JitterBuffer) Adjust() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case !j.playing:
		return 0
	case j.held() < float64(j.target-1):
		return +1
	case j.held() > float64(j.target+1):
		return -1
	}
	return 0
}

// Inserted counts a frame the player inserted, Pop not called.
func (j *JitterBuffer) Inserted() {
	j.mu.Lock()
	j.stats.Inserted++
	j.mu.Unlock()
}

// Dropped counts a frame the player popped and dropped.
func (j *JitterBuffer) Dropped() {
	j.mu.Lock()
	j.stats.Dropped++
	j.mu.Unlock()
}

// Target is the playout delay aimed at, in frames.
func (j *JitterBuffer) Target() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.target
}

// Depth is the playout delay now, in frames: the sequence numbers from the
// next one due up to the highest buffered.
func (j *JitterBuffer) Depth() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.depth
}

// Put adds a copy of a packet: its header's fixed fields and its payload. The
// caller keeps p and may reuse it at once.
func (j *JitterBuffer) Put(p *rtp.Packet) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.put(p)
}

func (j *JitterBuffer) put(p *rtp.Packet) {
	if !j.started || p.SSRC != j.ssrc {
		j.reset(p)
	}
	delta := int(int16(p.SequenceNumber - j.next))
	if delta < -resyncGap || delta > resyncGap {
		j.reset(p)
		delta = 0
	}
	capacity := j.capacity()
	if delta < 0 && !j.popped && j.depth-delta <= capacity {
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
	if delta >= capacity {
		j.skip(delta - capacity + 1)
		delta = capacity - 1
	}
	slot := &j.slots[j.slot(delta)]
	if slot.full {
		j.stats.Duplicate++
		return
	}
	copyPacket(&slot.pkt, p)
	slot.full = true
	j.count++
	j.depth = max(j.depth, delta+1)
	if j.held() >= float64(j.target) {
		j.playing = true
	}
}

// packets is the number of packets that hold size frames of audio at the
// packets' length now.
func (j *JitterBuffer) packets() int {
	return int(math.Ceil(float64(j.size) / j.packetFrames))
}

// capacity is the number of packets the buffer holds: size frames of audio,
// and no more than the ring has slots.
func (j *JitterBuffer) capacity() int {
	return min(j.packets(), len(j.slots))
}

// copyPacket copies what the buffer keeps of src into dst, in dst's memory.
func copyPacket(dst, src *rtp.Packet) {
	dst.Header = rtp.Header{
		Version:        src.Version,
		Marker:         src.Marker,
		PayloadType:    src.PayloadType,
		SequenceNumber: src.SequenceNumber,
		Timestamp:      src.Timestamp,
		SSRC:           src.SSRC,
	}
	dst.Payload = append(dst.Payload[:0], src.Payload...)
}

// Pop returns the packet due now. It returns false while the buffer fills up to
// its target, on an underrun (which restarts the filling), and for a lost packet.
// The packet is the buffer's, valid until the next Pop: one goroutine pops.
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
	slot := &j.slots[j.head]
	found := slot.full
	if found {
		copyPacket(&j.out, &slot.pkt)
	} else {
		j.stats.Lost++
	}
	j.advance()
	if !found {
		return nil, false
	}
	return &j.out, true
}

// Next returns, without taking it, the packet Pop releases next, when
// playout runs and it has arrived: after a Pop that found a packet lost, the
// one after the loss, whose in-band FEC may carry the lost frame. The packet
// is a copy, valid until the next Next.
func (j *JitterBuffer) Next() (*rtp.Packet, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.playing || j.depth == 0 || !j.slots[j.head].full {
		return nil, false
	}
	copyPacket(&j.peek, &j.slots[j.head].pkt)
	return &j.peek, true
}

// Playing reports whether playout runs: false while the buffer fills up to
// its target, at the start and after an underrun.
func (j *JitterBuffer) Playing() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.playing
}

// SetPacketFrames tells the buffer how much audio, in frames, a packet
// carries (the sender's packet time over the frame's), so that its depth is
// weighed against the target in time.
func (j *JitterBuffer) SetPacketFrames(f float64) {
	if f <= 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.packetFrames = f
	if n := j.packets(); n > len(j.slots) {
		j.grow(n)
	}
}

// grow makes the ring n slots long, keeping what it holds in order. Only
// packets shorter than any before make it grow: a stream allocates at most
// once more, when its packet time is first shorter than a frame.
func (j *JitterBuffer) grow(n int) {
	ring := make([]buffered, n)
	for i := range j.slots {
		ring[i] = j.slots[j.slot(i)]
	}
	j.slots, j.head = ring, 0
}

// PacketFrames is the audio a packet carries, in frames (SetPacketFrames).
func (j *JitterBuffer) PacketFrames() float64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.packetFrames
}

// held is the audio due from the next packet up to the highest buffered, in
// frames.
func (j *JitterBuffer) held() float64 {
	return float64(j.depth) * j.packetFrames
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
	for i := range j.slots {
		j.slots[i].full = false
	}
	j.head, j.depth, j.count = 0, 0, 0
	j.playing, j.popped = false, false
}

// skip drops the n oldest sequence numbers to make room at the far end.
func (j *JitterBuffer) skip(n int) {
	for range n {
		if j.slots[j.head].full {
			j.stats.Overflow++
		} else {
			j.stats.Lost++
		}
		j.advance()
	}
}

// advance moves the playout cursor one sequence number on.
func (j *JitterBuffer) advance() {
	if j.slots[j.head].full {
		j.slots[j.head].full = false
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
