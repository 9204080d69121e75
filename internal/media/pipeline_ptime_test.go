package media

import (
	"fmt"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// TestPipelinePacketTimes: the receive path plays packets of 10 to 60 ms as
// well as 20 ms ones, whatever the codec: a packet longer than a frame is
// played over several, shorter ones are taken two or more to a frame, and a
// lost one is concealed for its whole length. Without loss every frame is
// the codec's own output, at a delay of the packet and the buffer's target.
// docs/audio-quality.md lists the figures.
func TestPipelinePacketTimes(t *testing.T) {
	signal := audio.VoicedSpeechLike(audio.SampleRate, 5*audio.SampleRate, 4) // 5 s: 22 cases, each under the race detector in make test
	codecs := []string{"PCMU", "G722"}
	if opus.Available {
		codecs = append(codecs, "opus")
	}
	for _, name := range codecs {
		for _, ms := range []int{10, 30, 40, 60} {
			if name == "opus" && ms == 30 {
				continue // no 30 ms Opus frame
			}
			packet := time.Duration(ms) * time.Millisecond
			for _, loss := range []float64{0, 0.03} {
				t.Run(fmt.Sprintf("%s/%dms/loss%.0f%%", name, ms, 100*loss), func(t *testing.T) {
					enc, err := codec.New(name, "")
					if err != nil {
						t.Fatal(err)
					}
					dec, _ := codec.New(name, "")
					r := runPipelineWith(t, enc, dec, signal, impairment{loss: loss, seed: 5, packet: packet})
					t.Logf("delay %v (target %v), segmental SNR %.1f dB, concealed frames %.1f dB; late %d, lost %d, concealed %d, dropped %d, inserted %d",
						r.delay, r.stats.JitterTarget, r.segSNR, r.concealSNR, r.stats.Late, r.stats.Lost, r.stats.Concealed, r.stats.JitterDropped, r.stats.JitterInserted)
					minSNR := 34.0
					if loss > 0 {
						minSNR = 29
					}
					if r.segSNR < minSNR {
						t.Errorf("segmental SNR %.1f dB, want %.0f dB", r.segSNR, minSNR)
					}
					// A packet, the buffer's least target and the path; a loss
					// found only when the next packet comes may add a packet.
					if maxDelay := 60*time.Millisecond + packet; r.delay > maxDelay {
						t.Errorf("delay %v, want at most %v", r.delay, maxDelay)
					}
				})
			}
		}
	}
}
