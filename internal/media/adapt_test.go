package media

import (
	"net"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// TestReadFrameAdaptsOnlyInQuiet: a buffer holding more than its target drops
// a frame only where the audio is quiet; loud audio is played whole.
func TestReadFrameAdaptsOnlyInQuiet(t *testing.T) {
	for _, tt := range []struct {
		name     string
		level    int16
		wantDrop bool
	}{{"loud", 3000, false}, {"quiet", 10, true}} {
		t.Run(tt.name, func(t *testing.T) {
			s := openStream(t, Config{JitterMinTarget: 2, JitterMaxTarget: 2})
			src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
			if err := s.Start(Params{Remote: src, Codec: l16{}, PayloadType: testPT}); err != nil {
				t.Fatal(err)
			}
			frame := make([]int16, audio.FrameSamples)
			for seq := uint16(1); seq <= 8; seq++ { // a burst: 8 frames at once
				for i := range frame {
					frame[i] = tt.level + int16(seq)
				}
				s.handleRTP(rawPacket(t, testPT, seq, uint32(seq)*audio.FrameSamples, 5, false, l16{}.Encode(nil, frame)), src)
			}
			pcm := make([]int16, audio.FrameSamples)
			var played []int16
			for range 8 {
				if s.ReadFrame(pcm) {
					played = append(played, pcm[len(pcm)-1]-tt.level)
				}
			}
			dropped := s.Stats().JitterDropped
			if tt.wantDrop != (dropped > 0) {
				t.Errorf("dropped %d frames of %v, want drops %v", dropped, played, tt.wantDrop)
			}
			if !tt.wantDrop && len(played) != 8 {
				t.Errorf("played frames %v, want all 8", played)
			}
		})
	}
}
