package phone

import (
	"log/slog"
	"math"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// pumpRig is a pump driven frame by frame, without the actor: a tone on the
// microphone, recording sink and streams, and the levels it reports.
type pumpRig struct {
	p      *pump
	audio  *fakeAudio
	levels []api.Levels
}

func newPumpRig(t *testing.T, mic audio.Source) *pumpRig {
	t.Helper()
	r := &pumpRig{audio: &fakeAudio{src: mic}}
	r.p = newPump(r.audio, slog.New(slog.DiscardHandler), func(name string, data any) {
		if name != api.EvAudioLevel {
			t.Errorf("pump emitted %s", name)
			return
		}
		r.levels = append(r.levels, data.(api.Levels))
	})
	return r
}

// call attaches a stream that receives rx on every frame (nil: nothing received).
func (r *pumpRig) call(rx []int16) *fakeStream {
	s := &fakeStream{rxFrame: rx}
	r.plan(func(pl *mixPlan) { pl.legs = append(pl.legs, leg{stream: s}) })
	return s
}

// plan hands the pump a copy of its plan changed by edit, as the actor would.
func (r *pumpRig) plan(edit func(*mixPlan)) {
	next := *r.p.plan.Load()
	next.legs = slices.Clone(next.legs)
	edit(&next)
	r.p.setPlan(&next)
}

func (r *pumpRig) steps(n int) {
	for range n {
		r.p.step()
	}
}

// played returns the last n frames the speaker got, joined.
func (r *pumpRig) played(t *testing.T, n int) []int16 {
	t.Helper()
	r.audio.mu.Lock()
	defer r.audio.mu.Unlock()
	if len(r.audio.sunk) < n {
		t.Fatalf("the speaker got %d frames, want at least %d", len(r.audio.sunk), n)
	}
	return joinFrames(r.audio.sunk[len(r.audio.sunk)-n:])
}

// sent returns the last n frames s was given to send, joined.
func sent(t *testing.T, s *fakeStream, n int) []int16 {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.written) < n {
		t.Fatalf("the stream got %d frames, want at least %d", len(s.written), n)
	}
	return joinFrames(s.written[len(s.written)-n:])
}

func joinFrames(frames [][]int16) []int16 {
	var out []int16
	for _, f := range frames {
		out = append(out, f...)
	}
	return out
}

// toneFrame is one 20 ms frame of a 1000 Hz sine of the given peak: exactly 20
// periods, so repeating it frame after frame is a clean continuous tone.
func toneFrame(peak int16) []int16 {
	f := make([]int16, audio.FrameSamples)
	audio.NewToneSource(1000, peak).ReadFrame(f)
	return f
}

// peakDBFS is the dBFS of a sine's peak amplitude: its RMS level is 3.01 dB lower.
func peakDBFS(peak float64) float64 { return 20 * math.Log10(peak/audio.FullScale) }

const sineCrest = 3.0103 // dB between a sine's peak and its RMS

// The pump reports about ten levels a second (every five 20 ms frames) with the
// measured RMS of what the microphone sends and the speaker plays, during a call and
// when there is none.
func TestPumpReportsLevels(t *testing.T) {
	const micPeak, peerPeak = 3277, 1036 // -20 and -30 dBFS peak: -23 and -33 dBFS RMS
	tests := []struct {
		name      string
		call      bool
		wantIn    int
		wantOut   int
		playsSink bool
	}{
		{"in a call", true, -23, -33, true},
		{"idle: the microphone is metered, nothing is played", false, -23, levelFloor, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newPumpRig(t, audio.NewToneSource(1000, micPeak))
			if tt.call {
				r.call(toneFrame(peerPeak))
			}
			r.steps(50) // one second
			if len(r.levels) != 10 {
				t.Fatalf("%d levels events in one second of frames, want 10", len(r.levels))
			}
			for i, lv := range r.levels {
				if abs(lv.Input-tt.wantIn) > 1 || abs(lv.Output-tt.wantOut) > 1 {
					t.Errorf("levels[%d] = %+v, want input %d and output %d (±1 dB)", i, lv, tt.wantIn, tt.wantOut)
				}
			}
			r.audio.mu.Lock()
			n := len(r.audio.sunk)
			r.audio.mu.Unlock()
			if played := n > 0; played != tt.playsSink {
				t.Errorf("the speaker got %d frames; want frames: %v", n, tt.playsSink)
			}
		})
	}
}

func TestPumpLevelsFloorAndWindow(t *testing.T) {
	r := newPumpRig(t, audio.Silence{})
	r.steps(4)
	if len(r.levels) != 0 {
		t.Fatalf("levels after 4 frames: %+v; the window is 5 frames", r.levels)
	}
	r.steps(1)
	if len(r.levels) != 1 || r.levels[0] != (api.Levels{Input: levelFloor, Output: levelFloor}) {
		t.Fatalf("silence reads %+v, want both at %d", r.levels, levelFloor)
	}
	// A loud burst in one window must not leak into the next.
	r.call(toneFrame(32767))
	r.steps(5)
	r.plan(func(pl *mixPlan) { pl.legs = nil })
	r.steps(5)
	if got := r.levels[1].Output; abs(got+3) > 1 {
		t.Errorf("full-scale sine window: output %d, want -3", got)
	}
	if got := r.levels[2].Output; got != levelFloor {
		t.Errorf("the window after the call: output %d, want %d", got, levelFloor)
	}
}

// Each volume scales its own audio by volume/50 with saturation: 25 is -6 dB, 50
// unchanged, 100 +6 dB, 0 silence.
func TestPumpVolumes(t *testing.T) {
	const peak = 8000 // -12.3 dBFS peak: +6 dB still fits under full scale
	unityRMS := map[string]float64{
		"input":  peakDBFS(peak) - sineCrest,
		"output": peakDBFS(peak) - sineCrest,
		"ringer": 20 * math.Log10(ringAmplitude/audio.FullScale), // two sines of a quarter scale each
	}
	for _, dir := range []string{"input", "output", "ringer"} {
		for _, vol := range []int{0, 25, 50, 75, 100} {
			t.Run(dir+"/"+strconv.Itoa(vol), func(t *testing.T) {
				r := newPumpRig(t, audio.NewToneSource(1000, peak))
				var got []int16
				switch dir {
				case "input":
					s := r.call(nil)
					r.plan(func(pl *mixPlan) { pl.vol.input = vol })
					r.steps(10)
					got = sent(t, s, 10)
				case "output":
					r.call(toneFrame(peak))
					r.plan(func(pl *mixPlan) { pl.vol.output = vol })
					r.steps(10)
					got = r.played(t, 10)
				case "ringer":
					r.plan(func(pl *mixPlan) { pl.ring, pl.vol.ringer = true, vol })
					r.steps(10)
					got = r.played(t, 10)
				}
				level := audio.DBFS(got)
				if vol == 0 {
					if level != audio.MinDBFS {
						t.Errorf("volume 0 gives %.1f dBFS, want silence", level)
					}
					return
				}
				want := unityRMS[dir] + 20*math.Log10(float64(vol)/unityVolume)
				if math.Abs(level-want) > 1 {
					t.Errorf("volume %d gives %.2f dBFS, want %.2f (±1 dB)", vol, level, want)
				}
			})
		}
	}
}

// Doubling a loud signal clips it at full scale instead of wrapping around.
func TestPumpVolumeClips(t *testing.T) {
	const peak = 24000 // doubled: 48000, past full scale
	r := newPumpRig(t, audio.NewToneSource(1000, peak))
	s := r.call(nil)
	r.plan(func(pl *mixPlan) { pl.vol.input = maxVolume })
	r.steps(5)
	got := sent(t, s, 5)
	ref := make([]int16, len(got))
	audio.NewToneSource(1000, peak).ReadFrame(ref)
	var hiClip, loClip int
	for i, v := range got {
		want := 2 * int(ref[i])
		switch {
		case want > math.MaxInt16:
			if v != math.MaxInt16 {
				t.Fatalf("sample %d: %d doubled gave %d, want clipped to %d", i, ref[i], v, math.MaxInt16)
			}
			hiClip++
		case want < math.MinInt16:
			if v != math.MinInt16 {
				t.Fatalf("sample %d: %d doubled gave %d, want clipped to %d", i, ref[i], v, math.MinInt16)
			}
			loClip++
		case int(v) != want:
			t.Fatalf("sample %d: %d doubled gave %d, want %d", i, ref[i], v, want)
		}
	}
	if hiClip == 0 || loClip == 0 {
		t.Errorf("no clipping seen (%d high, %d low): the test tone is too quiet", hiClip, loClip)
	}
	if level, unclipped := audio.DBFS(got), peakDBFS(2*peak)-sineCrest; level >= unclipped-0.5 {
		t.Errorf("clipped level %.2f dBFS, want well under the unclipped %.2f", level, unclipped)
	}
}

// Volume changes the microphone before it is metered: the level is what the peer hears.
func TestPumpInputLevelFollowsVolume(t *testing.T) {
	r := newPumpRig(t, audio.NewToneSource(1000, 3277))
	r.plan(func(pl *mixPlan) { pl.vol.input = 25 })
	r.steps(5)
	if got := r.levels[0].Input; abs(got-(-29)) > 1 {
		t.Errorf("-23 dBFS at volume 25 reads %d, want -29", got)
	}
}

func abs(v int) int { return max(v, -v) }

// nullStream is a Stream that drops what it is given and receives a fixed frame; it
// does not allocate, so a benchmark measures only the pump.
type nullStream struct{ rx []int16 }

func (nullStream) LocalPort() int                     { return 0 }
func (nullStream) PublicAddr() (a netip.AddrPort)     { return a }
func (nullStream) PublicRTCPAddr() (a netip.AddrPort) { return a }
func (nullStream) Ready() <-chan struct{}             { return readyNow }
func (nullStream) Punch(*net.UDPAddr) error           { return nil }
func (nullStream) Start(MediaParams) error            { return nil }
func (nullStream) WriteFrame([]int16) error           { return nil }
func (s nullStream) ReadFrame(pcm []int16) bool       { copy(pcm, s.rx); return true }
func (nullStream) SendDTMF(string) error              { return nil }
func (nullStream) LastReceived() (t time.Time)        { return t }
func (nullStream) Close() error                       { return nil }

// constSource is a microphone that repeats one frame, cheaper than a ToneSource.
type constSource []int16

func (c constSource) ReadFrame(pcm []int16) error { copy(pcm, c); return nil }

type nullAudio struct{ fakeAudio }

func (*nullAudio) Sink() audio.Sink { return audio.Discard{} }

func benchPump(b *testing.B, ringing bool, emit func(string, any)) *pump {
	io := &nullAudio{fakeAudio{src: constSource(toneFrame(8000))}}
	p := newPump(io, slog.New(slog.DiscardHandler), emit)
	p.setPlan(&mixPlan{
		legs: []leg{{stream: nullStream{rx: toneFrame(4000)}}},
		ring: ringing,
		vol:  volumes{input: 40, output: 60, ringer: unityVolume},
	})
	return p
}

// One 20 ms frame of a call with non-unity volumes, metering both directions.
func BenchmarkPumpFrame(b *testing.B) {
	p := benchPump(b, false, nil)
	b.ReportAllocs()
	for b.Loop() {
		p.frame()
	}
}

// The same with the ringer on (call waiting).
func BenchmarkPumpFrameRinging(b *testing.B) {
	p := benchPump(b, true, nil)
	p.frame() // the ring starts
	b.ReportAllocs()
	for b.Loop() {
		p.frame()
	}
}

// A frame including the audio.level event every fifth frame, through a bus with one
// watcher.
func BenchmarkPumpStep(b *testing.B) {
	bus := NewBus()
	_, cancel := bus.subscribe(func(api.Event) {}, api.Hello{})
	defer cancel()
	p := benchPump(b, false, bus.Emit)
	b.ReportAllocs()
	for b.Loop() {
		p.step()
	}
}
