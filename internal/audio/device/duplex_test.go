//go:build cgo

package device

import (
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// These tests run on miniaudio's null backend, which has no hardware behind it but
// runs its callback in real time, so they take real time (about half a second each).

func openNull(t *testing.T, input, output string) *Duplex {
	t.Helper()
	d, err := Open(Config{Backend: "null", Input: input, Output: output, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open on the null backend: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestListNull(t *testing.T) {
	inputs, outputs, err := List("null")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 || len(outputs) == 0 {
		t.Fatalf("null backend lists %d inputs and %d outputs, want at least one each", len(inputs), len(outputs))
	}
	for _, d := range slices.Concat(inputs, outputs) {
		if d.ID == "" || d.Name == "" {
			t.Errorf("device without ID or name: %+v", d)
		}
	}
}

func TestFramesFlowAtTheSampleRate(t *testing.T) {
	for _, tt := range []struct {
		name          string
		input, output string
		devices       int
	}{
		{"default devices share one duplex device", "", "default", 1},
		{"chosen devices open capture and playback", "pick", "pick", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			input, output := tt.input, tt.output
			if input == "pick" {
				inputs, outputs, err := List("null")
				if err != nil {
					t.Fatal(err)
				}
				input, output = inputs[0].ID, outputs[0].ID
			}
			d := openNull(t, input, output)
			if d.Backend() != "null" || len(d.devices) != tt.devices {
				t.Fatalf("Backend() = %q with %d devices, want null with %d", d.Backend(), len(d.devices), tt.devices)
			}

			start, before := time.Now(), d.Stats()
			time.Sleep(500 * time.Millisecond) // the device runs on the wall clock
			elapsed, after := time.Since(start).Seconds(), d.Stats()

			expected := elapsed * audio.SampleRate
			for name, got := range map[string]uint64{
				"captured": after.FramesCaptured - before.FramesCaptured,
				"played":   after.FramesPlayed - before.FramesPlayed,
			} {
				// above the rate is a fault; below it is also a starved machine
				if float64(got) < 0.4*expected || float64(got) > 1.4*expected {
					t.Errorf("%d frames %s in %.2f s, want about %.0f", got, name, elapsed, expected)
				}
			}
			// Nobody read the capture ring or fed the playback ring for 500 ms.
			if after.CaptureOverruns == 0 || after.PlaybackUnderruns == 0 {
				t.Errorf("stats %+v: want capture overruns and playback underruns", after)
			}
		})
	}
}

func TestWrittenAudioIsPlayed(t *testing.T) {
	d := openNull(t, "", "")
	tone := audio.NewToneSource(1000, 10000)
	frame := make([]int16, audio.FrameSamples)
	for range RingFrames {
		if err := tone.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if s := d.Stats(); s.PlaybackOverruns != 0 {
		t.Fatalf("%d playback overruns writing %d frames into an empty ring", s.PlaybackOverruns, RingFrames)
	}
	queued, playedBefore := d.playback.Len(), d.Stats().FramesPlayed
	if queued == 0 {
		t.Fatal("nothing queued after WriteFrame")
	}
	// The device must drain the ring within its 200 ms plus slack, and play what
	// it drained: the rate converter between ring and device holds a few samples
	// after the ring is empty, so the count is awaited, not read at that moment.
	deadline := time.Now().Add(2 * time.Second)
	for d.playback.Len() > 0 || d.Stats().FramesPlayed-playedBefore < uint64(queued) {
		if time.Now().After(deadline) {
			t.Fatalf("after 2 s the playback ring holds %d of %d samples and the device played %d frames",
				d.playback.Len(), queued, d.Stats().FramesPlayed-playedBefore)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReadFrameReturnsCapturedSilence(t *testing.T) {
	d := openNull(t, "", "")
	deadline := time.Now().Add(2 * time.Second)
	for d.capture.Len() < audio.FrameSamples {
		if time.Now().After(deadline) {
			t.Fatal("no frame captured in 2 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	frame := slices.Repeat([]int16{123}, audio.FrameSamples)
	if err := d.ReadFrame(frame); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(frame, func(s int16) bool { return s != 0 }) {
		t.Errorf("null capture delivered non-silence: %v", frame[:8])
	}
	if got := d.Stats().CaptureUnderruns; got != 0 {
		t.Errorf("%d capture underruns reading a full frame", got)
	}
}

func TestReadFramePadsWithSilenceWhenShort(t *testing.T) {
	d := openNull(t, "", "")
	big := slices.Repeat([]int16{-5}, 2*RingFrames*audio.FrameSamples) // more than the ring holds
	if err := d.ReadFrame(big); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(big, -5) {
		t.Error("ReadFrame left part of the frame unwritten")
	}
	if d.Stats().CaptureUnderruns == 0 {
		t.Error("short read not counted as an underrun")
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"unknown backend", Config{Backend: "carrier-pigeon"}, ErrUnknownBackend},
		{"unknown input", Config{Backend: "null", Input: "deadbeef"}, ErrDeviceNotFound},
		{"unknown output", Config{Backend: "null", Output: "deadbeef"}, ErrDeviceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Logger = testLogger(t)
			d, err := Open(tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
			if d != nil {
				d.Close()
			}
		})
	}
	if _, _, err := List("carrier-pigeon"); !errors.Is(err, ErrUnknownBackend) {
		t.Errorf("List error = %v, want ErrUnknownBackend", err)
	}
}

func TestCloseIsCleanAndFinal(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	for range 3 { // open and close repeatedly: nothing may accumulate
		d, err := Open(Config{Backend: "null", Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.WriteFrame(make([]int16, audio.FrameSamples)); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		stats := d.Stats()
		if err := d.Close(); !errors.Is(err, audio.ErrClosed) {
			t.Errorf("second Close: %v, want audio.ErrClosed", err)
		}
		if err := d.ReadFrame(make([]int16, audio.FrameSamples)); !errors.Is(err, audio.ErrClosed) {
			t.Errorf("ReadFrame after Close: %v", err)
		}
		if err := d.WriteFrame(make([]int16, audio.FrameSamples)); !errors.Is(err, audio.ErrClosed) {
			t.Errorf("WriteFrame after Close: %v", err)
		}
		// The callback has stopped: the counters no longer move.
		time.Sleep(50 * time.Millisecond)
		if after := d.Stats(); after != stats {
			t.Errorf("stats moved after Close: %+v -> %+v", stats, after)
		}
	}
	if after := runtime.NumGoroutine(); after > goroutines {
		t.Errorf("%d goroutines before, %d after closing", goroutines, after)
	}
}
