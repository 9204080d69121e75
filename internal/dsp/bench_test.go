package dsp

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// BenchmarkProcessor is the cost of AEC, noise suppression and AGC on one
// 20 ms frame of the microphone, with the speaker's frame as reference. Besides the
// wall time (ns/op) it reports, on Linux, the CPU time its thread used per frame
// (cpu-ns/op), which a machine busy with other work inflates far less: the time
// the thread waited for a core is not in it.
func BenchmarkProcessor(b *testing.B) {
	if !Available() {
		b.Skip("no speexdsp in a build without cgo")
	}
	for _, rate := range []int{8000, 16000, 48000} {
		for _, f := range []struct {
			name string
			Features
		}{{"aec+ns", Features{AEC: true, Denoise: true}}, {"aec+ns+agc", Features{AEC: true, Denoise: true, AGC: true}}} {
			b.Run(fmt.Sprintf("%s/%d", f.name, rate), func(b *testing.B) {
				frame := rate / 50
				far := audio.SpeechLike(rate, rate, 1)
				mic := audio.SpeechLike(rate, rate, 2)
				p, err := New(Options{Rate: rate, Frame: frame, Features: f.Features})
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				buf := make([]int16, frame)
				at := 0
				b.ReportAllocs()
				runtime.LockOSThread() // threadCPU measures this thread
				defer runtime.UnlockOSThread()
				cpu0, measured := threadCPU()
				for b.Loop() {
					copy(buf, mic[at:at+frame])
					p.Playback(far[at : at+frame])
					p.Capture(buf)
					at = (at + frame) % (len(far) - frame)
				}
				if cpu1, _ := threadCPU(); measured {
					b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}

func TestProcessorAllocatesNothing(t *testing.T) {
	if !Available() {
		t.Skip("no speexdsp in a build without cgo")
	}
	const rate = 16000
	frame := rate / 50
	p, err := New(Options{Rate: rate, Frame: frame, Features: Features{AEC: true, Denoise: true, AGC: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	far, mic := audio.SpeechLike(rate, 3*rate, 1), audio.SpeechLike(rate, 3*rate, 2)
	at := 0
	allocs := testing.AllocsPerRun(140, func() { // past a delay estimate
		p.Playback(far[at : at+frame])
		p.Capture(mic[at : at+frame])
		at += frame
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per frame, want 0", allocs)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{}, {Rate: 16000}, {Rate: 4000, Frame: 80}, {Rate: 8000, Frame: 9000}} {
		if _, err := New(o); err == nil || err == ErrUnavailable {
			t.Errorf("New(%+v) = %v, want an options error", o, err)
		}
	}
}

func TestSwitchingStages(t *testing.T) {
	if !Available() {
		t.Skip("no speexdsp in a build without cgo")
	}
	const rate = 8000
	p, err := New(Options{Rate: rate, Frame: rate / 50})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	mic := audio.SpeechLike(rate, rate/50, 3)
	buf := append([]int16(nil), mic...)
	p.Playback(mic)
	p.Capture(buf)
	for i := range buf {
		if buf[i] != mic[i] {
			t.Fatal("with every stage off the microphone's frame changed")
		}
	}
	p.SetFeatures(Features{Denoise: true})
	if got := p.Features(); got != (Features{Denoise: true}) {
		t.Errorf("Features() = %+v after SetFeatures", got)
	}
}
