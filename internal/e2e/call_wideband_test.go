package e2e

import (
	endian "encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// wideHz is a tone only a wideband codec carries: above G.711's 4 kHz.
const wideHz = 6000.0

// Thresholds of wideTone's level (the tones are sent at a peak of 8000, a
// level of about 0.24): a codec that carries the tone keeps most of it; one
// that cannot leaves next to nothing at its frequency.
const (
	wideHeard  = 0.1
	wideAbsent = 0.02
)

// The engine calls baresip through kamailio with each codec as the only one
// both speak besides G.711, which the engine lists second: both ends send a
// 6 kHz tone. With G.722 and Opus each end hears the other's; with PCMU
// neither does, which is what a call that fell back to G.711 would give.
func TestCallBaresipWidebandCodecs(t *testing.T) {
	for _, tc := range []struct {
		codec  string // the engine's name for it, as call.state reports it
		module string // baresip's module; "" for G.711
		rate   int    // the audio rate of baresip's codec, that of its source
		stereo bool   // baresip's codec runs two channels, and so must its source
		wide   bool
	}{
		{"G722", "g722", 16000, false, true},
		{"opus", "opus", 48000, true, true},
		{"PCMU", "", 8000, false, false},
	} {
		t.Run(tc.codec, func(t *testing.T) {
			kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
			wav := filepath.Join(t.TempDir(), "bob.wav")
			if tc.stereo {
				writeStereoTone(t, wav, wideHz, 60*time.Second, tc.rate)
			} else {
				writeToneAt(t, wav, wideHz, 60*time.Second, tc.rate)
			}
			opts := testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr, AutoAnswer: true, SourceWAV: wav, Record: true}
			if tc.module != "" {
				opts.Codecs, opts.G711Off = []string{tc.module}, true
			}
			bob := testpeer.StartBaresip(t, opts)
			bob.WaitRegistered(t, 10*time.Second)
			e := startEngine(t, engineOptions{inputHz: wideHz, inputRate: audio.SampleRate, account: map[string]any{
				"server": kam.Addr, "username": "alice", "password": "secret", "register": true,
				"codecs": slices.Compact([]string{tc.codec, "PCMU"}),
			}})
			c := e.connect(t)
			if c.hello.Snapshot.Registration.State != api.RegRegistered {
				c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
			}

			var res api.DialResult
			c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
			got := c.callStates(res.CallID, api.CallActive, 10*time.Second)
			if cs := got[len(got)-1]; cs.Codec != tc.codec {
				t.Fatalf("the call speaks %q, want %q", cs.Codec, tc.codec)
			}
			bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
			c.awaitFarAudio(10 * time.Second)
			// DTMF at the codec's clock rate reaches baresip as the digits sent.
			c.mustDo(api.CmdCallDTMF.Name, map[string]any{"digits": "19#"}, nil)
			waitUntil(t, 5*time.Second, func() bool { return bob.DTMFReceived() == "19#" }, func() string {
				return "baresip received DTMF " + bob.DTMFReceived()
			})
			c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
			c.callStates(res.CallID, api.CallEnded, 5*time.Second)
			bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
			e.stop(t)

			check := func(who string, pcm []int16) {
				t.Helper()
				level := wideTone(pcm, wideHz)
				t.Logf("%s heard %.0f Hz at a level of %.3f", who, wideHz, level)
				switch {
				case tc.wide && level < wideHeard:
					t.Errorf("%s heard %.0f Hz at %.3f over %s, want at least %.2f", who, wideHz, level, tc.codec, wideHeard)
				case !tc.wide && level > wideAbsent:
					t.Errorf("%s heard %.0f Hz at %.3f over %s, which cannot carry it", who, wideHz, level, tc.codec)
				}
			}
			check("the engine", readWAV(t, e.outWAV))
			check("baresip", readWAV(t, decodedWAV(t, bob)))
		})
	}
}

// decodedWAV is the recording of what baresip received and decoded.
func decodedWAV(t *testing.T, bob *testpeer.Baresip) string {
	t.Helper()
	for _, f := range bob.RecordedWAVs() {
		if strings.Contains(f, "-dec") {
			return f
		}
	}
	t.Fatalf("baresip recorded nothing: %v", bob.RecordedWAVs())
	return ""
}

// wideTone is the level of the tone at hz in the loudest second of pcm (at the
// engine's rate).
func wideTone(pcm []int16, hz float64) float64 {
	const win = audio.SampleRate
	best, level := 0.0, 0.0
	for i := 0; i+win <= len(pcm); i += win / 2 {
		if r := audio.RMS(pcm[i : i+win]); r > best {
			best, level = r, audio.ToneLevel(pcm[i:i+win], audio.SampleRate, hz)
		}
	}
	return level
}

// writeStereoTone writes a 16-bit stereo WAV of a tone at rate (a peak of 8000
// on both channels): baresip's aufile plays only a file of its codec's
// channels, two for Opus.
func writeStereoTone(t *testing.T, path string, hz float64, d time.Duration, rate int) {
	t.Helper()
	n := int(d.Seconds() * float64(rate))
	data := make([]byte, 0, 4*n)
	for i := range n {
		v := uint16(int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))))
		data = endian.LittleEndian.AppendUint16(endian.LittleEndian.AppendUint16(data, v), v)
	}
	le := endian.LittleEndian
	h := []byte("RIFF")
	h = le.AppendUint32(h, uint32(36+len(data)))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)
	h = le.AppendUint16(h, 1) // PCM
	h = le.AppendUint16(h, 2) // channels
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*4))
	h = le.AppendUint16(h, 4)
	h = le.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(len(data)))
	if err := os.WriteFile(path, append(h, data...), 0o600); err != nil {
		t.Fatal(err)
	}
}
