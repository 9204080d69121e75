package media

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseDTMFPayload(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    dtmfPayload
		wantErr bool
	}{
		{name: "start", in: []byte{1, 10, 0, 0}, want: dtmfPayload{Event: 1, Volume: 10}},
		{name: "end", in: []byte{11, 0x80 | 10, 0x03, 0x20}, want: dtmfPayload{Event: 11, End: true, Volume: 10, Duration: 800}},
		{name: "reserved bit ignored", in: []byte{5, 0x40 | 63, 0xff, 0xff}, want: dtmfPayload{Event: 5, Volume: 63, Duration: 65535}},
		{name: "trailing bytes ignored", in: []byte{2, 7, 0, 160, 9, 9}, want: dtmfPayload{Event: 2, Volume: 7, Duration: 160}},
		{name: "short", in: []byte{1, 2, 3}, wantErr: true},
		{name: "empty", in: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDTMFPayload(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadPacket) {
					t.Fatalf("err = %v, want ErrBadPacket", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func FuzzDTMFPayload(f *testing.F) {
	f.Add([]byte{1, 10, 0, 160})
	f.Add([]byte{11, 0x8a, 0x03, 0x20})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0})
	f.Add([]byte{3})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseDTMFPayload(b)
		if err != nil {
			if len(b) >= dtmfPayloadSize {
				t.Fatalf("rejected %d bytes: %v", len(b), err)
			}
			return
		}
		// Re-encoding gives the input back, except the reserved bit.
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if got := p.appendTo(nil); !bytes.Equal(got, want) {
			t.Fatalf("round trip %x -> %+v -> %x", b[:4], p, got)
		}
		var r dtmfReceiver
		r.handle(1000, p, 8000, func(d DTMF) {
			if _, ok := dtmfEvent(d.Digit); !ok {
				t.Fatalf("reported non-digit %q", d.Digit)
			}
		})
	})
}

// ev is one telephone-event packet of a receiver test: timestamp, event, end
// bit, duration. audio marks an audio packet at ts instead.
type ev struct {
	ts    uint32
	event uint8
	end   bool
	dur   uint16
	audio bool
}

// tone returns the packets of one well-formed event: durations from first in
// steps of 160 up to total, then the end packet three times.
func tone(ts uint32, event uint8, first, total uint16) []ev {
	var out []ev
	for d := first; d < total; d += 160 {
		out = append(out, ev{ts: ts, event: event, dur: d})
	}
	for range 3 {
		out = append(out, ev{ts: ts, event: event, end: true, dur: total})
	}
	return out
}

func TestDTMFReceiver(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		pkts []ev
		want []DTMF
	}{
		{name: "one event, end sent three times", pkts: tone(1000, 1, 160, 800), want: []DTMF{{'1', 100 * ms}}},
		{name: "first packet with duration 0 (SIPp pcaps)", pkts: tone(1000, 5, 0, 800), want: []DTMF{{'5', 100 * ms}}},
		{
			name: "two events in a row, same digit",
			pkts: slices.Concat(tone(1000, 9, 160, 800), tone(2600, 9, 160, 800)),
			want: []DTMF{{'9', 100 * ms}, {'9', 100 * ms}},
		},
		{
			name: "all end packets lost, next event reports it",
			pkts: slices.Concat(tone(1000, 1, 160, 800)[:4], tone(2600, 2, 160, 800)),
			want: []DTMF{{'1', 80 * ms}, {'2', 100 * ms}},
		},
		{
			name: "all end packets lost, audio moves on",
			pkts: append(tone(1000, 3, 160, 800)[:4], ev{ts: 1800, audio: true}, ev{ts: 3000, audio: true}, ev{ts: 3160, audio: true}),
			want: []DTMF{{'3', 80 * ms}},
		},
		{
			name: "audio during the event does not end it",
			pkts: []ev{{ts: 1000, event: 4, dur: 160}, {ts: 1160, audio: true}, {ts: 1000, event: 4, dur: 320}, {ts: 1000, event: 4, end: true, dur: 400}},
			want: []DTMF{{'4', 50 * ms}},
		},
		{
			name: "late end retransmission of the previous event",
			pkts: slices.Concat(tone(1000, 1, 160, 800)[:5], tone(2600, 2, 160, 480), []ev{{ts: 1000, event: 1, end: true, dur: 800}}),
			want: []DTMF{{'1', 100 * ms}, {'2', 60 * ms}},
		},
		{
			name: "lone end packets",
			pkts: []ev{{ts: 500, event: 10, end: true, dur: 400}, {ts: 500, event: 10, end: true, dur: 400}, {ts: 500, event: 10, end: true, dur: 400}},
			want: []DTMF{{'*', 50 * ms}},
		},
		{
			name: "lone end after an unfinished event",
			pkts: []ev{{ts: 500, event: 0, dur: 160}, {ts: 900, event: 11, end: true, dur: 400}},
			want: []DTMF{{'0', 20 * ms}, {'#', 50 * ms}},
		},
		{
			name: "timestamp wrap",
			pkts: slices.Concat(tone(0xffffff00, 12, 160, 800), tone(0x00000200, 13, 160, 800)),
			want: []DTMF{{'A', 100 * ms}, {'B', 100 * ms}},
		},
		{name: "flash is not a digit", pkts: tone(1000, 16, 160, 800), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r dtmfReceiver
			var got []DTMF
			emit := func(d DTMF) { got = append(got, d) }
			for _, p := range tt.pkts {
				if p.audio {
					r.audio(p.ts, 8000, emit)
					continue
				}
				r.handle(p.ts, dtmfPayload{Event: p.event, End: p.end, Volume: 10, Duration: p.dur}, 8000, emit)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDigits(t *testing.T) {
	got, err := parseDigits("0123456789*#ABCD")
	if err != nil || !slices.Equal(got, []uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"12a", "1 2", "E", "é", "1,2"} {
		if _, err := parseDigits(bad); !errors.Is(err, ErrInvalidDigit) {
			t.Errorf("parseDigits(%q) err = %v, want ErrInvalidDigit", bad, err)
		}
	}
}

// sent is one frame's outcome of the DTMF sender, for comparison.
type sent struct {
	dtmf   bool
	ts     uint32
	marker bool
	event  uint8
	end    bool
	dur    uint16
}

func TestDTMFSender(t *testing.T) {
	s := newDTMFSender(100*time.Millisecond, 60*time.Millisecond)
	if s.busy() {
		t.Fatal("busy before any digit")
	}
	s.enqueue([]uint8{1, 11})
	var got []sent
	ts := uint32(5000)
	for range 22 {
		pkt, ok := s.next(ts, 160, 8000)
		if ok {
			p := pkt.payload
			if p.Volume != dtmfVolume {
				t.Fatalf("volume %d", p.Volume)
			}
			got = append(got, sent{true, pkt.timestamp, pkt.marker, p.Event, p.End, p.Duration})
		} else {
			got = append(got, sent{})
		}
		ts += 160
	}
	digit := func(ts uint32, event uint8) []sent {
		return []sent{
			{true, ts, true, event, false, 160},
			{true, ts, false, event, false, 320},
			{true, ts, false, event, false, 480},
			{true, ts, false, event, false, 640},
			{true, ts, false, event, true, 800},
			{true, ts, false, event, true, 800},
			{true, ts, false, event, true, 800},
		}
	}
	gap := []sent{{}, {}, {}} // 60 ms of audio between digits
	want := slices.Concat(digit(5000, 1), gap, digit(5000+10*160, 11), gap, []sent{{}, {}})
	if !slices.Equal(got, want) {
		t.Errorf("sent\n%v\nwant\n%v", got, want)
	}
	if s.busy() {
		t.Error("busy after all digits")
	}
}

func TestDTMFSenderOptions(t *testing.T) {
	tests := []struct {
		name          string
		tone, gap     time.Duration
		rate          int
		frame         uint32
		wantTotal     uint16
		wantGapFrames int
	}{
		{name: "defaults", rate: 8000, frame: 160, wantTotal: 800, wantGapFrames: 3},
		{name: "gap below minimum is raised", tone: 200 * time.Millisecond, gap: 10 * time.Millisecond, rate: 8000, frame: 160, wantTotal: 1600, wantGapFrames: 3},
		{name: "tone rounded up to whole frames", tone: 90 * time.Millisecond, gap: 100 * time.Millisecond, rate: 8000, frame: 160, wantTotal: 800, wantGapFrames: 5},
		{name: "16 kHz clock", rate: 16000, frame: 320, wantTotal: 1600, wantGapFrames: 3},
		{name: "very long tone capped to 16 bits", tone: 20 * time.Second, rate: 8000, frame: 160, wantTotal: 65440, wantGapFrames: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDTMFSender(tt.tone, tt.gap)
			s.enqueue([]uint8{7})
			var last dtmfPayload
			var frames, gapFrames int
			for s.busy() {
				if pkt, ok := s.next(0, tt.frame, tt.rate); ok {
					last = pkt.payload
					frames++
				} else {
					gapFrames++
				}
			}
			if last.Duration != tt.wantTotal || !last.End {
				t.Errorf("last packet %+v, want end with duration %d", last, tt.wantTotal)
			}
			if wantFrames := int(tt.wantTotal)/int(tt.frame) + 2; frames != wantFrames {
				t.Errorf("%d event packets, want %d", frames, wantFrames)
			}
			if gapFrames != tt.wantGapFrames {
				t.Errorf("%d gap frames, want %d", gapFrames, tt.wantGapFrames)
			}
		})
	}
}

func TestDTMFSenderReset(t *testing.T) {
	s := newDTMFSender(0, 0)
	s.enqueue([]uint8{1, 2, 3})
	s.next(0, 160, 8000)
	s.reset()
	if s.busy() {
		t.Fatal("busy after reset")
	}
	if _, ok := s.next(160, 160, 8000); ok {
		t.Fatal("sent an event after reset")
	}
}
