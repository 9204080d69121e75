package media

import (
	"math/rand/v2"
	"testing"

	"github.com/pion/rtp"
)

// feed puts n packets from seq on, each with a transit of its sequence
// number's time plus a random extra delay of up to spread frames (seeded), and
// pops one per packet, as a media clock would.
func feed(j *JitterBuffer, seq uint16, n int, spread float64, rng *rand.Rand) uint16 {
	for range n {
		extra := spread * rng.Float64()
		j.PutTransit(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, SSRC: 1}}, extra)
		j.Pop()
		seq++
	}
	return seq
}

// TestJitterTargetFollowsTheNetwork: the target rises with the delays' spread
// and comes down again once the network calms, within its bounds.
func TestJitterTargetFollowsTheNetwork(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	j := NewJitterBuffer(0, 0)
	seq := feed(j, 100, 300, 0, rng)
	if got := j.Target(); got != DefaultJitterMinTarget {
		t.Errorf("calm network: target %d frames, want the minimum %d", got, DefaultJitterMinTarget)
	}
	seq = feed(j, seq, 300, 3, rng) // up to 60 ms of jitter
	if got := j.Target(); got < 4 || got > 5 {
		t.Errorf("3 frames of jitter: target %d frames, want 4 or 5", got)
	}
	seq = feed(j, seq, 300, 0, rng)
	if got := j.Target(); got != DefaultJitterMinTarget {
		t.Errorf("calm again: target %d frames, want %d", got, DefaultJitterMinTarget)
	}
	feed(j, seq, 300, 40, rng)
	if got := j.Target(); got != DefaultJitterMaxTarget {
		t.Errorf("800 ms of jitter: target %d frames, want the maximum %d", got, DefaultJitterMaxTarget)
	}
}

// TestJitterTargetRisesAtOnce: one packet later than the target allows raises
// it before the next periodic check.
func TestJitterTargetRisesAtOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	j := NewJitterBuffer(0, 0)
	seq := feed(j, 1, 50, 0, rng)
	j.PutTransit(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, SSRC: 1}}, 0)
	j.PutTransit(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq + 1, SSRC: 1}}, 6) // 120 ms late
	if got := j.Target(); got < 6 {
		t.Errorf("after a packet 6 frames late the target is %d", got)
	}
}

func TestJitterTargetBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	j := NewJitterBuffer(0, 0)
	j.SetTargetBounds(4, 6)
	feed(j, 1, 300, 0, rng)
	if got := j.Target(); got != 4 {
		t.Errorf("calm: target %d, want the bound 4", got)
	}
	feed(j, 400, 300, 20, rng)
	if got := j.Target(); got != 6 {
		t.Errorf("400 ms jitter: target %d, want the bound 6", got)
	}
	j.SetTargetBounds(0, 100)
	if j.maxTarget != DefaultJitterMax {
		t.Errorf("a bound above the size: %d, want the size %d", j.maxTarget, DefaultJitterMax)
	}
}

// TestJitterAdjust: the buffer asks for a frame more when it holds less than
// its target, and for one less when it holds more than a frame above it.
func TestJitterAdjust(t *testing.T) {
	j := NewJitterBuffer(3, 0)
	if got := j.Adjust(); got != 0 {
		t.Errorf("before playout Adjust = %d", got)
	}
	runJitterScript(t, j, "1 2 3")
	if got := j.Adjust(); got != 0 {
		t.Errorf("at the target Adjust = %d", got)
	}
	runJitterScript(t, j, ">1 >2")
	if got := j.Adjust(); got != +1 {
		t.Errorf("2 below the target Adjust = %d, want +1", got)
	}
	runJitterScript(t, j, "4 5 6 7")
	if got := j.Adjust(); got != -1 {
		t.Errorf("2 above the target Adjust = %d, want -1", got)
	}
	j.Dropped()
	j.Inserted()
	if st := j.Stats(); st.Dropped != 1 || st.Inserted != 1 {
		t.Errorf("stats %+v", st)
	}
}

func BenchmarkJitterAdaptive(b *testing.B) {
	j := NewJitterBuffer(0, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	pkts := make([]rtp.Packet, 256)
	extra := make([]float64, 256)
	for i := range extra {
		extra[i] = 2 * rng.Float64()
	}
	seq := uint16(0)
	b.ReportAllocs()
	for b.Loop() {
		p := &pkts[seq%256]
		p.SequenceNumber, p.SSRC = seq, 1
		j.PutTransit(p, extra[seq%256])
		j.Adjust()
		j.Pop()
		seq++
	}
}
