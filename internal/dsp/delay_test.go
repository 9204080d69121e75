package dsp

import (
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// TestDelayEstimatorFindsTheEcho: the speaker's speech comes back 130 ms later
// through a room; the estimator finds that delay within 10 ms (less than the
// margin the filter covers before it; the reverberation draws the envelope's
// peak a little later), and only once two estimates in a row agree.
func TestDelayEstimatorFindsTheEcho(t *testing.T) {
	for _, rate := range []int{8000, 48000} {
		frame := rate / 50
		far := audio.SpeechLike(rate, 6*rate, 1)
		pickup := roomEcho(far, rate, 130, -6, 5)
		mic := make([]int16, len(far))
		for i := range mic {
			mic[i] = clamp(pickup[i])
		}
		d := newDelayEstimator(rate)
		found, when := -1, 0
		for at := 0; at+frame <= len(far); at += frame {
			if got, ok := d.push(far[at:at+frame], mic[at:at+frame]); ok && found < 0 {
				found, when = got, at+frame
			}
		}
		want, tolerance := 130*rate/1000, 10*rate/1000
		if found < want-tolerance || found > want+tolerance {
			t.Errorf("%d Hz: found %d samples, want %d (±%d)", rate, found, want, tolerance)
		}
		if first := (delayWindowMs + maxDelayMs + estimateEvery) * rate / 1000; when < first {
			t.Errorf("%d Hz: found after %d samples, before two estimates could agree (%d)", rate, when, first)
		}
	}
}

// TestDelayEstimatorIgnoresSilence: with nothing played nothing is found.
func TestDelayEstimatorIgnoresSilence(t *testing.T) {
	const rate = 16000
	d := newDelayEstimator(rate)
	silence := make([]int16, rate/50)
	mic := audio.SpeechLike(rate, 4*rate, 2)
	for at := 0; at+len(silence) <= len(mic); at += len(silence) {
		if got, ok := d.push(silence, mic[at:at+len(silence)]); ok {
			t.Fatalf("found a delay of %d samples in silence", got)
		}
	}
}

func TestRefDelay(t *testing.T) {
	d := newRefDelay(10, 4)
	d.setDelay(6)
	var got []int16
	for f := range int16(4) {
		got = append(got, d.push([]int16{4*f + 1, 4*f + 2, 4*f + 3, 4*f + 4})...)
	}
	want := []int16{0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delayed by 6: %v, want %v", got, want)
		}
	}
}
