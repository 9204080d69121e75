package media

import (
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"
)

// TestJitterBufferHoldsItsSizeInTime: with 10 ms packets and up to 200 ms of
// jitter, the buffer holds the delay the target asks for (about 220 ms, 22
// packets) without dropping any: its size is a time, not a count of packets.
func TestJitterBufferHoldsItsSizeInTime(t *testing.T) {
	const (
		packets  = 3000
		maxDelay = 20 // ticks of 10 ms: 200 ms of jitter
	)
	rng := rand.New(rand.NewPCG(3, 4))
	j := NewJitterBuffer(0, 0)
	j.SetPacketFrames(0.5)
	// Packet i is sent at tick i and arrives maxDelay ticks later at most.
	arrivals := make([][]uint16, packets+maxDelay+1)
	delay := make([]int, packets)
	for i := range packets {
		delay[i] = rng.IntN(maxDelay + 1)
		arrivals[i+delay[i]] = append(arrivals[i+delay[i]], uint16(i))
	}
	played := 0
	for tick := range arrivals {
		for _, seq := range arrivals[tick] {
			p := rtp.Packet{Header: rtp.Header{SequenceNumber: seq, SSRC: 1}, Payload: []byte{byte(seq)}}
			j.PutTransit(&p, float64(delay[seq])*0.5)
		}
		// The player: one packet a tick, none when the buffer wants to
		// grow, two when it wants to shrink (as if in silence).
		switch j.Adjust() {
		case +1:
			j.Inserted()
			continue
		case -1:
			j.Dropped()
			j.Pop()
		}
		if p, ok := j.Pop(); ok {
			if p.Payload[0] != byte(p.SequenceNumber) {
				t.Fatalf("packet %d carries another's payload", p.SequenceNumber)
			}
			played++
		}
	}
	st := j.Stats()
	if target := j.Target(); target < 10 {
		t.Errorf("target %d frames for 200 ms of jitter, want at least 10", target)
	}
	if st.Overflow != 0 {
		t.Errorf("%d packets dropped for want of room (stats %+v): the buffer holds fewer than the target's 10 ms packets", st.Overflow, st)
	}
	if lost := st.Lost + st.Late; lost > packets/100 {
		t.Errorf("%d packets lost or late of %d (stats %+v), want under 1%%", lost, packets, st)
	}
	if played+int(st.Dropped) < packets*95/100 {
		t.Errorf("played %d of %d", played, packets)
	}
}

// TestJitterBufferGrowsKeepingItsPackets: when shorter packets than any
// before arrive, the ring grows to hold the same time, and the packets it
// held, its start wrapped round, come out in order.
func TestJitterBufferGrowsKeepingItsPackets(t *testing.T) {
	j := NewJitterBuffer(2, 4)
	runJitterScript(t, j, "1 2 3 >1 4") // 4 is in the ring's first slot
	j.SetPacketFrames(0.5)
	if len(j.slots) != 8 {
		t.Fatalf("%d slots for 4 frames of 10 ms packets, want 8", len(j.slots))
	}
	runJitterScript(t, j, "5 6 7 8 9 >2 >3 >4 >5 >6 >7 >8 >9")
	if st := j.Stats(); st != (JitterStats{}) {
		t.Errorf("stats %+v, want nothing lost or dropped", st)
	}
}
