//go:build cgo

package device

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// The device callback, driven directly with byte buffers as miniaudio hands them over.

func newCallbackDuplex() *Duplex {
	return &Duplex{
		capture:  audio.NewRing(RingFrames * audio.FrameSamples),
		playback: audio.NewRing(RingFrames * audio.FrameSamples),
	}
}

func TestCallbackCopiesBetweenDeviceAndRings(t *testing.T) {
	d := newCallbackDuplex()
	if err := d.WriteFrame([]int16{100, -200, 300}); err != nil {
		t.Fatal(err)
	}
	input := make([]byte, 0, 8)
	for _, s := range []int16{1, -2, 32767, -32768} {
		input = binary.NativeEndian.AppendUint16(input, uint16(s))
	}
	output := slices.Repeat([]byte{0xEE}, 8) // garbage the callback must overwrite

	d.onData(output, input, 4)

	captured := make([]int16, 4)
	if n := d.capture.Read(captured); n != 4 || !slices.Equal(captured, []int16{1, -2, 32767, -32768}) {
		t.Errorf("capture ring got %d samples %v", n, captured)
	}
	var played []int16
	for i := 0; i < len(output); i += 2 {
		played = append(played, int16(binary.NativeEndian.Uint16(output[i:])))
	}
	if !slices.Equal(played, []int16{100, -200, 300, 0}) {
		t.Errorf("device played %v, want the queued samples then silence", played)
	}
	s := d.Stats()
	if s.FramesCaptured != 4 || s.FramesPlayed != 4 || s.PlaybackUnderruns != 1 || s.CaptureOverruns != 0 {
		t.Errorf("stats %+v", s)
	}
}

// Capture-only and playback-only devices pass a nil buffer for the other direction.
func TestCallbackOneDirection(t *testing.T) {
	d := newCallbackDuplex()
	d.onData(nil, make([]byte, 320), 160)
	d.onData(make([]byte, 320), nil, 160)
	if s := d.Stats(); s.FramesCaptured != 160 || s.FramesPlayed != 160 {
		t.Errorf("stats %+v, want 160 frames each way", s)
	}
}

func TestCallbackDoesNotAllocate(t *testing.T) {
	d := newCallbackDuplex()
	in, out := make([]byte, 2*audio.FrameSamples), make([]byte, 2*audio.FrameSamples)
	frame := make([]int16, audio.FrameSamples)
	allocs := testing.AllocsPerRun(200, func() {
		_ = d.WriteFrame(frame)
		d.onData(out, in, audio.FrameSamples)
		_ = d.ReadFrame(frame)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per callback round, want 0", allocs)
	}
}
