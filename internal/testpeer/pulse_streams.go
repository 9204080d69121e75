package testpeer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// PulseStreams counts the streams one process has open on a Pulse server:
// what it holds of the sound system.
type PulseStreams struct {
	Playback int // sink inputs: the speaker (or ringer) in use
	Capture  int // source outputs: the microphone in use
}

func (s PulseStreams) String() string {
	return fmt.Sprintf("%d playback, %d capture", s.Playback, s.Capture)
}

// StreamsOf returns the streams that the process pid has open now. Each
// stream carries the process ID its client reported (libpulse's
// application.process.id), so other clients, such as the test's own
// recorder, do not count.
func (p *Pulse) StreamsOf(pid int) (PulseStreams, error) {
	playback, err := p.countOf("sink-inputs", pid)
	if err != nil {
		return PulseStreams{}, err
	}
	capture, err := p.countOf("source-outputs", pid)
	if err != nil {
		return PulseStreams{}, err
	}
	return PulseStreams{Playback: playback, Capture: capture}, nil
}

// countOf counts the streams of kind ("sink-inputs" or "source-outputs")
// whose client is the process pid.
func (p *Pulse) countOf(kind string, pid int) (int, error) {
	out, err := p.pactl("--format=json", "list", kind)
	if err != nil {
		return 0, err
	}
	var streams []struct {
		Properties map[string]string `json:"properties"`
	}
	if err := json.Unmarshal(out, &streams); err != nil {
		return 0, fmt.Errorf("%w: list %s: %w", errPulseQuery, kind, err)
	}
	n := 0
	for _, s := range streams {
		if s.Properties["application.process.id"] == strconv.Itoa(pid) {
			n++
		}
	}
	return n, nil
}

// streamsPoll is how often WaitStreams asks the server again.
const streamsPoll = 50 * time.Millisecond

// WaitStreams waits up to within for the process pid to have exactly want
// open, and fails the test with what it had last if it does not. It returns
// how long that took.
func (p *Pulse) WaitStreams(t TB, pid int, want PulseStreams, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got, err := p.StreamsOf(pid)
		if err != nil {
			t.Fatalf("pulseaudio: %v", err)
		}
		if got == want {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("process %d has %v open on the sound server after %v, want %v", pid, got, within, want)
		}
		time.Sleep(streamsPoll) // polled: simpler than following "pactl subscribe" for a few checks
	}
}
