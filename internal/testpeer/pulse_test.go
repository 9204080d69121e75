package testpeer

import (
	"testing"
	"time"
)

// A private PulseAudio server counts a client's streams by its process ID,
// not the recorder's, and the speaker's recording holds what the client
// played.
func TestPulseCountsStreamsAndRecordsTheSpeaker(t *testing.T) {
	t.Parallel()
	p := StartPulse(t, PulseOptions{})
	rec := p.RecordSpeaker(t)
	tone := toneWAV(t, 2, 500)

	play := startProcessEnv(t, "paplay", t.TempDir(), p.Env(), Need(t, "paplay"), tone)
	p.WaitStreams(t, play.pid(), PulseStreams{Playback: 1}, 2*time.Second)
	if s, err := p.StreamsOf(rec.proc.pid()); err != nil || s != (PulseStreams{Capture: 1}) {
		t.Errorf("the recorder has %v (%v), want 1 capture", s, err)
	}
	select {
	case <-play.done:
		if code := play.exitCode(); code != 0 {
			t.Fatalf("paplay exited with %d:\n%s", code, play.tail(tailLines))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("paplay did not finish its 2 s tone within 5 s")
	}
	hz, peak := toneOf(rec.Stop(t))
	t.Logf("the speaker played %.1f Hz at peak %d", hz, peak)
	if hz < 490 || hz > 510 || peak < 8000 {
		t.Errorf("the speaker played %.0f Hz at peak %d, want the 500 Hz tone at half scale", hz, peak)
	}
}

// toneOf returns the frequency of the tone in pcm at RecordRate, from its upward zero
// crossings between the first and last loud samples, and its peak.
func toneOf(pcm []int16) (hz float64, peak int) {
	const loud = 1000
	first, last, crossings := -1, -1, 0
	for i, s := range pcm {
		v := int(s)
		peak = max(peak, v, -v)
		if v > loud || v < -loud {
			if first < 0 {
				first = i
			}
			last = i
		}
		if i > 0 && pcm[i-1] < 0 && s >= 0 && first >= 0 {
			crossings++
		}
	}
	if last > first {
		hz = float64(crossings) * RecordRate / float64(last-first)
	}
	return hz, peak
}
