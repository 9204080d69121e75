package media

import (
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// TestPipelineOpusFEC is the receive pipeline with Opus, whose losses are
// concealed by libopus: from the in-band FEC of the packet after a lost one
// when the sender puts FEC in (the peer's useinbandfec=1), else by libopus's
// own concealment. With FEC the lost frames, and so the whole, must score
// clearly better than without: what a receive path that ignores the FEC
// (conceals every loss) fails. docs/audio-quality.md lists the figures.
func TestPipelineOpusFEC(t *testing.T) {
	if !opus.Available {
		t.Skip("this build has no Opus (cgo off)")
	}
	signal := audio.VoicedSpeechLike(audio.SampleRate, 20*audio.SampleRate, 4)
	run := func(t *testing.T, fmtp string, im impairment) pipelineResult {
		enc, err := codec.New("opus", fmtp)
		if err != nil {
			t.Fatal(err)
		}
		dec, _ := codec.New("opus", fmtp)
		return runPipelineWith(t, enc, dec, signal, im)
	}
	cases := []struct {
		loss      float64
		minGain   float64 // dB the whole must gain with FEC
		minConcSN float64 // dB, the lost frames with FEC
	}{
		{0.03, 1, 8},
		{0.10, 3, 8},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("loss%.0f%%", 100*c.loss), func(t *testing.T) {
			im := impairment{loss: c.loss, seed: 5}
			with := run(t, "useinbandfec=1", im)
			without := run(t, "useinbandfec=0", im)
			for _, r := range []struct {
				name string
				pipelineResult
			}{{"with FEC", with}, {"without FEC", without}} {
				t.Logf("%s: delay %v, segmental SNR %.1f dB, concealed frames %.1f dB; lost %d, concealed %d, decoded from the next packet %d",
					r.name, r.delay, r.segSNR, r.concealSNR, r.stats.Lost, r.stats.Concealed, r.stats.FECDecoded)
			}
			if with.stats.FECDecoded < with.stats.Lost*3/4 {
				t.Errorf("%d of %d lost packets decoded from the next one's FEC, want most", with.stats.FECDecoded, with.stats.Lost)
			}
			if with.concealSNR < c.minConcSN || with.concealSNR < without.concealSNR+c.minConcSN/2 {
				t.Errorf("lost frames at %.1f dB with FEC, %.1f dB without: want at least %.0f dB, and %.0f dB better",
					with.concealSNR, without.concealSNR, c.minConcSN, c.minConcSN/2)
			}
			if with.segSNR < without.segSNR+c.minGain {
				t.Errorf("segmental SNR %.1f dB with FEC, %.1f dB without: want %.0f dB better", with.segSNR, without.segSNR, c.minGain)
			}
		})
	}
}
