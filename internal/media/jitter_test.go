package media

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pion/rtp"
)

// runJitterScript drives a buffer with a tiny script: "10" puts sequence 10 (SSRC 1),
// "10@2" puts it with SSRC 2, ">10" pops and expects sequence 10, ">-" pops and
// expects nothing.
func runJitterScript(t *testing.T, j *JitterBuffer, script string) {
	t.Helper()
	for i, op := range strings.Fields(script) {
		if want, ok := strings.CutPrefix(op, ">"); ok {
			p, got := j.Pop()
			switch {
			case want == "-" && got:
				t.Fatalf("op %d %q: popped seq %d, want nothing", i, op, p.SequenceNumber)
			case want != "-" && !got:
				t.Fatalf("op %d %q: popped nothing", i, op)
			case want != "-" && strconv.Itoa(int(p.SequenceNumber)) != want:
				t.Fatalf("op %d %q: popped seq %d", i, op, p.SequenceNumber)
			}
			continue
		}
		seqText, ssrcText, hasSSRC := strings.Cut(op, "@")
		seq, err := strconv.ParseUint(seqText, 10, 16)
		if err != nil {
			t.Fatalf("bad op %q", op)
		}
		ssrc := uint64(1)
		if hasSSRC {
			ssrc, _ = strconv.ParseUint(ssrcText, 10, 32)
		}
		j.Put(&rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(seq), SSRC: uint32(ssrc)}})
	}
}

func TestJitterBuffer(t *testing.T) {
	tests := []struct {
		name         string
		target, size int
		script       string
		want         JitterStats
		wantLen      int
	}{
		{name: "inOrder", script: "10 11 12 >10 >11 >12 >-"},
		{name: "waits for target", script: "10 >- 11 >- 12 >10 >11 >12"},
		{name: "loss", script: "10 12 13 >10 >- >12 >13", want: JitterStats{Lost: 1}},
		{name: "reorder", script: "10 12 11 13 >10 >11 >12 >13"},
		{name: "reorder before playout", script: "11 10 12 >10 >11 >12"},
		{name: "duplicate", script: "10 11 11 12 >10 >11 >12 >-", want: JitterStats{Duplicate: 1}},
		{name: "wrap", script: "65534 65535 0 1 >65534 >65535 >0 >1"},
		{name: "wrap reordered", script: "65534 0 65535 1 >65534 >65535 >0 >1"},
		{name: "wrap with loss", script: "65535 1 2 >65535 >- >1 >2", want: JitterStats{Lost: 1}},
		{name: "late after playout", script: "10 11 12 >10 >11 10", want: JitterStats{Late: 1}, wantLen: 1},
		{name: "late after loss", script: "10 12 13 >10 >- 11 >12", want: JitterStats{Lost: 1, Late: 1}, wantLen: 1},
		{
			name:   "ssrc change resets",
			script: "10 11 12 >10 500@2 >- 501@2 502@2 >500 >501 >502",
			want:   JitterStats{Resets: 1},
		},
		{name: "sequence jump resets", script: "10 11 12 >10 9000 9001 9002 >9000", want: JitterStats{Resets: 1}, wantLen: 2},
		{
			name: "overflow drops oldest", target: 2, size: 4,
			script: "10 11 12 13 14 15 >12 >13 >14 >15",
			want:   JitterStats{Overflow: 2},
		},
		{
			name: "far ahead counts the skipped as lost", target: 2, size: 4,
			script: "10 16 >- >- >- >16",
			want:   JitterStats{Overflow: 1, Lost: 5},
		},
		{name: "underrun refills to target", script: "10 11 12 >10 >11 >12 >- 13 >- 14 >- 15 >13 >14 >15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := NewJitterBuffer(tt.target, tt.size)
			runJitterScript(t, j, tt.script)
			if got := j.Stats(); got != tt.want {
				t.Errorf("stats = %+v, want %+v", got, tt.want)
			}
			if got := j.Len(); got != tt.wantLen {
				t.Errorf("Len = %d, want %d", got, tt.wantLen)
			}
		})
	}
}

func TestJitterBufferDefaultsAndReset(t *testing.T) {
	j := NewJitterBuffer(0, 0)
	if j.target != DefaultJitterTarget || len(j.slots) != DefaultJitterMax {
		t.Fatalf("defaults: target %d size %d", j.target, len(j.slots))
	}
	if j := NewJitterBuffer(8, 4); len(j.slots) != 8 {
		t.Errorf("size below target: got %d slots, want 8", len(j.slots))
	}
	runJitterScript(t, j, "10 11 12")
	j.Reset()
	if j.Len() != 0 {
		t.Fatalf("Len after Reset = %d", j.Len())
	}
	runJitterScript(t, j, "7 8 9 >7")
	if got := j.Stats(); got != (JitterStats{}) {
		t.Errorf("Reset then a new stream should count nothing, got %+v", got)
	}
}

func TestJitterBufferLongRunWithWrap(t *testing.T) {
	j := NewJitterBuffer(3, 16)
	seq := uint16(65000)
	var popped int
	for i := range 3000 {
		if i%50 != 7 { // drop one packet in fifty
			j.Put(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, SSRC: 9}})
		}
		seq++
		if _, ok := j.Pop(); ok {
			popped++
		}
	}
	st := j.Stats()
	if st.Lost != 60 || st.Late != 0 || st.Duplicate != 0 {
		t.Errorf("stats = %+v, want 60 lost only", st)
	}
	if want := 3000 - 60 - 2; popped != want { // the last 2 are still buffered
		t.Errorf("popped %d, want %d", popped, want)
	}
}

func BenchmarkJitterPutPop(b *testing.B) {
	j := NewJitterBuffer(DefaultJitterTarget, DefaultJitterMax)
	pkts := make([]rtp.Packet, 64)
	for i := range pkts {
		pkts[i].SSRC = 1
	}
	b.ReportAllocs()
	var seq uint16
	for i := 0; b.Loop(); i++ {
		p := &pkts[i%len(pkts)]
		p.SequenceNumber = seq
		seq++
		j.Put(p)
		j.Pop()
	}
	if st := j.Stats(); st.Lost+st.Late+st.Duplicate != 0 {
		b.Fatalf("unexpected stats %+v", st)
	}
}
