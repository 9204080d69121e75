package media

import (
	"testing"
	"time"
)

func TestReceiveStatsLoss(t *testing.T) {
	tests := []struct {
		name         string
		seqs         []uint16
		wantLost     uint64
		wantExtended uint32
	}{
		{name: "in order", seqs: []uint16{100, 101, 102}, wantLost: 0, wantExtended: 102},
		{name: "one lost", seqs: []uint16{100, 102, 103}, wantLost: 1, wantExtended: 103},
		{name: "reordered", seqs: []uint16{100, 102, 101}, wantLost: 0, wantExtended: 102},
		{name: "duplicates do not go negative", seqs: []uint16{100, 100, 101}, wantLost: 0, wantExtended: 101},
		{name: "wrap", seqs: []uint16{65534, 65535, 1}, wantLost: 1, wantExtended: 1<<16 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r receiveStats
			at := time.Unix(1000, 0)
			for _, s := range tt.seqs {
				r.update(s, 7, 0, at, 8000, false)
			}
			if got := r.lost(); got != tt.wantLost {
				t.Errorf("lost = %d, want %d", got, tt.wantLost)
			}
			if got := r.extendedMax(); got != tt.wantExtended {
				t.Errorf("extended max = %d, want %d", got, tt.wantExtended)
			}
		})
	}
}

func TestReceiveStatsJitter(t *testing.T) {
	base := time.Unix(1000, 0)
	var steady receiveStats
	for i := range 50 {
		steady.update(uint16(i), 1, uint32(i*160), base.Add(time.Duration(i)*20*time.Millisecond), 8000, true)
	}
	if steady.jitter != 0 {
		t.Errorf("packets on time: jitter %v, want 0", steady.jitter)
	}

	// Every other packet 5 ms (40 units) late: |D| is always 40, so J converges
	// to 40 units (5 ms).
	var bumpy receiveStats
	for i := range 500 {
		at := base.Add(time.Duration(i) * 20 * time.Millisecond)
		if i%2 == 1 {
			at = at.Add(5 * time.Millisecond)
		}
		bumpy.update(uint16(i), 1, uint32(i*160), at, 8000, true)
	}
	if got := bumpy.jitterDuration(8000); got < 4900*time.Microsecond || got > 5*time.Millisecond {
		t.Errorf("jitter %v, want about 5ms", got)
	}

	// Telephone-event packets (repeated timestamps) stay out of the estimate.
	var dtmf receiveStats
	for i := range 10 {
		dtmf.update(uint16(i), 1, 1000, base.Add(time.Duration(i)*20*time.Millisecond), 8000, false)
	}
	if dtmf.jitter != 0 {
		t.Errorf("DTMF packets changed jitter to %v", dtmf.jitter)
	}
}

func TestReceiveStatsReport(t *testing.T) {
	var r receiveStats
	if _, ok := r.report(time.Now()); ok {
		t.Fatal("report before any packet")
	}
	at := time.Unix(1000, 0)
	for _, s := range []uint16{10, 11, 13, 14} { // 12 lost: 1 of 5
		r.update(s, 42, 0, at, 8000, false)
	}
	r.senderReport(0x0001_2345_6789_0000, at)
	rr, ok := r.report(at.Add(500 * time.Millisecond))
	if !ok {
		t.Fatal("no report")
	}
	if rr.SSRC != 42 || rr.TotalLost != 1 || rr.FractionLost != 256/5 || rr.LastSequenceNumber != 14 {
		t.Errorf("report %+v", rr)
	}
	if rr.LastSenderReport != 0x2345_6789 || rr.Delay != 32768 {
		t.Errorf("LSR %#x DLSR %d, want 0x23456789 and 32768 (0.5 s)", rr.LastSenderReport, rr.Delay)
	}
	// The next interval starts fresh: no new loss, fraction 0.
	r.update(15, 42, 0, at, 8000, false)
	if rr, _ := r.report(at); rr.FractionLost != 0 || rr.TotalLost != 1 {
		t.Errorf("second report %+v", rr)
	}
	// A new SSRC starts over.
	r.update(500, 43, 0, at, 8000, false)
	if r.lost() != 0 || r.ssrc != 43 {
		t.Errorf("after SSRC change: lost %d ssrc %d", r.lost(), r.ssrc)
	}
}
