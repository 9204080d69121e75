package audio

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// concealStrategy stands for one way of filling lost frames: it sees every
// frame, and for a lost one it fills out from what it saw.
type concealStrategy interface {
	good(frame []int16)
	conceal(out []int16)
}

type plcStrategy struct{ p *PLC }

func (s plcStrategy) good(f []int16)    { s.p.Good(f) }
func (s plcStrategy) conceal(o []int16) { s.p.Conceal(o[:0]) }

// repeatStrategy replays the last good frame, as simple receivers do.
type repeatStrategy struct{ last []int16 }

func (s *repeatStrategy) good(f []int16)    { s.last = append(s.last[:0], f...) }
func (s *repeatStrategy) conceal(o []int16) { copy(o, s.last) }

type silenceStrategy struct{}

func (silenceStrategy) good([]int16)      {}
func (silenceStrategy) conceal(o []int16) { clear(o) }

// heard is what a listener hears of the lost frames and of the frames just
// after a loss (where concealment hands back), each beside the original.
type heard struct {
	lostRef, lost   []int16
	afterRef, after []int16
}

// lossy runs signal through strategy frame by frame, losing each frame with
// probability loss (seeded).
func lossy(signal []int16, frame int, loss float64, s concealStrategy) heard {
	rng := rand.New(rand.NewPCG(7, 11))
	var h heard
	o := make([]int16, frame)
	afterLoss := false
	for at := 0; at+frame <= len(signal); at += frame {
		in := signal[at : at+frame]
		lost := at > 0 && rng.Float64() < loss
		if lost {
			s.conceal(o)
			h.lostRef, h.lost = append(h.lostRef, in...), append(h.lost, o...)
		} else {
			copy(o, in)
			s.good(o)
			if afterLoss {
				h.afterRef, h.after = append(h.afterRef, in...), append(h.after, o...)
			}
		}
		afterLoss = lost
	}
	return h
}

// TestPLCBeatsRepetitionAndSilence measures the concealment as audio: a voiced
// speech-like signal with 10 % of its 20 ms frames lost, scored by segmental
// SNR against the original. Over the lost frames, pitch repetition must beat
// replaying the last frame and silence by clear margins, at every rate; the
// frames after a loss, which it blends in from the synthetic signal, must stay
// close to the original.
func TestPLCBeatsRepetitionAndSilence(t *testing.T) {
	const (
		marginRepeat  = 4.0  // dB over frame repetition, on the lost frames
		marginSilence = 1.5  // dB over silence, on the lost frames
		afterFloor    = 10.0 // dB on the frames after a loss
	)
	for _, rate := range []int{8000, 16000, 48000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			frame := rate / 50
			signal := VoicedSpeechLike(rate, 10*rate, 3)
			score := func(s concealStrategy) (lost, after float64) {
				h := lossy(signal, frame, 0.10, s)
				return SegmentalSNR(h.lostRef, h.lost, frame), SegmentalSNR(h.afterRef, h.after, frame)
			}
			plc, plcAfter := score(plcStrategy{NewPLC(rate)})
			repeat, _ := score(&repeatStrategy{})
			silence, _ := score(silenceStrategy{})
			t.Logf("segmental SNR of the lost frames at 10%% loss: PLC %.1f dB, repetition %.1f dB, silence %.1f dB; after a loss: PLC %.1f dB",
				plc, repeat, silence, plcAfter)
			if plc < repeat+marginRepeat || plc < silence+marginSilence {
				t.Errorf("PLC %.1f dB: want %.0f dB over repetition (%.1f) and %.0f dB over silence (%.1f)",
					plc, marginRepeat, repeat, marginSilence, silence)
			}
			if plcAfter < afterFloor {
				t.Errorf("the frames after a loss at %.1f dB, want %.0f dB", plcAfter, afterFloor)
			}
		})
	}
}

// TestPLCFadesToSilence: a long loss is attenuated from 10 ms and silent from 60 ms.
func TestPLCFadesToSilence(t *testing.T) {
	const rate = 16000
	frame := rate / 50
	p := NewPLC(rate)
	tone := sine(150, rate, 8000, 4*frame)
	for at := 0; at < len(tone); at += frame {
		p.Good(tone[at : at+frame])
	}
	var out []int16
	for range 4 {
		out = p.Conceal(out)
	}
	ms := rate / 1000
	first, fading, silent := RMS(out[:10*ms]), RMS(out[40*ms:50*ms]), RMS(out[60*ms:])
	if first < 0.9*RMS(tone) {
		t.Errorf("the first 10 ms at RMS %.0f, want the signal's %.0f", first, RMS(tone))
	}
	if fading >= first/2 || fading == 0 {
		t.Errorf("40-50 ms at RMS %.0f: want attenuated from %.0f, not silent", fading, first)
	}
	if silent != 0 {
		t.Errorf("after 60 ms RMS %.0f, want silence", silent)
	}
}

// TestPLCNothingToConceal: before any good frame there is nothing to conceal with.
func TestPLCNothingToConceal(t *testing.T) {
	if out := NewPLC(8000).Conceal(nil); len(out) != 0 {
		t.Errorf("Conceal before any frame gave %d samples", len(out))
	}
}

func TestPLCAllocatesNothing(t *testing.T) {
	p := NewPLC(48000)
	frame := SpeechLike(48000, 960, 1)
	buf := make([]int16, 0, 960)
	allocs := testing.AllocsPerRun(100, func() {
		p.Good(frame)
		buf = p.Conceal(buf[:0])
	})
	if allocs != 0 {
		t.Errorf("%.0f allocations per frame, want 0", allocs)
	}
}

func BenchmarkPLCConceal(b *testing.B) {
	for _, rate := range []int{8000, 16000, 48000} {
		b.Run(fmt.Sprint(rate), func(b *testing.B) {
			frame := SpeechLike(rate, rate/50, 1)
			p := NewPLC(rate)
			buf := make([]int16, 0, len(frame))
			b.ReportAllocs()
			for b.Loop() {
				p.Good(frame) // every concealment starts a loss: the pitch search each time
				buf = p.Conceal(buf[:0])
			}
		})
	}
}
