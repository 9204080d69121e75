package phone

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// writeToneWAV writes a WAV of a sine of hz at rate with channels (each the same),
// lasting ms, to path.
func writeToneWAV(t *testing.T, path string, rate, channels int, hz float64, ms int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := audio.NewWAVWriter(f, rate, channels)
	if err != nil {
		t.Fatal(err)
	}
	n := rate * ms / 1000
	mono := make([]int16, n)
	phase := 0.0
	for i := range mono {
		mono[i] = int16(8000 * sinAt(phase))
		phase += hz / float64(rate)
	}
	pcm := make([]int16, 0, n*channels)
	for _, s := range mono {
		for range channels {
			pcm = append(pcm, s)
		}
	}
	if err := w.WriteFrame(pcm); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// soundRig is a rig with a sounds folder (and a recordings folder) of its own.
func soundRig(t *testing.T) (*rig, string) {
	t.Helper()
	dir := t.TempDir()
	sounds := filepath.Join(dir, "sounds")
	if err := os.Mkdir(sounds, 0o700); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, func(c *Config) { c.SoundsDir, c.RecordingsDir = sounds, filepath.Join(dir, "recordings") })
	return r, sounds
}

// nextEventNamed waits for the next event called name.
func (r *rig) nextEventNamed(name string) api.Event {
	r.t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case ev := <-r.events:
			if ev.Event == name {
				return ev
			}
		case <-deadline:
			r.t.Fatalf("no %s event", name)
		}
	}
}

// A 48 kHz stereo file plays on the speaker, downmixed and resampled: its tone is
// heard; audio.play events say when it started and ended.
func TestPlayOnTheSpeaker(t *testing.T) {
	r, sounds := soundRig(t)
	writeToneWAV(t, filepath.Join(sounds, "prompt.wav"), 48000, 2, 700, 400)
	if got := r.mustDo(api.CmdSoundsList.Name, nil).(api.SoundList).Files; !slices.Equal(got, []string{"prompt.wav"}) {
		t.Errorf("sounds.list %v", got)
	}
	r.mustDo(api.CmdAudioPlay.Name, &api.PlayArgs{File: "prompt.wav"})
	if ev := r.nextEventNamed(api.EvAudioPlay).Data.(api.PlayEvent); ev.State != api.PlayStarted || ev.File != "prompt.wav" {
		t.Errorf("first audio.play event %+v", ev)
	}
	pcm := joinFrames(r.ticks(30))
	if lvl := audio.ToneLevel(window(pcm, 40, 360), audio.SampleRate, 700); lvl < 0.2 {
		t.Errorf("700 Hz at %.3f on the speaker, want about 0.24", lvl)
	}
	if ev := r.nextEventNamed(api.EvAudioPlay).Data.(api.PlayEvent); ev.State != api.PlayEnded {
		t.Errorf("second audio.play event %+v, want ended", ev)
	}
}

// With toPeer the file goes into the call, mixed with the microphone, and not to the
// speaker; audio.stop ends a looping file.
func TestPlayIntoTheCall(t *testing.T) {
	r, sounds := soundRig(t)
	writeToneWAV(t, filepath.Join(sounds, "music.wav"), 16000, 1, 700, 200)
	activeOutgoing(t, r)
	s := r.lastStream()
	s.rxFrame = nil
	r.mustDo(api.CmdAudioPlay.Name, &api.PlayArgs{File: "music.wav", ToPeer: true, Loop: true})
	r.nextEventNamed(api.EvAudioPlay)
	spk := joinFrames(r.ticks(40))
	s.mu.Lock()
	sent := joinFrames(s.written[len(s.written)-30:])
	s.mu.Unlock()
	if lvl := audio.ToneLevel(sent, audio.SampleRate, 700); lvl < 0.2 {
		t.Errorf("the call got 700 Hz at %.3f, want the file (about 0.24), looping", lvl)
	}
	if lvl := audio.ToneLevel(sent, audio.SampleRate, 1000); lvl < 0.2 {
		t.Errorf("the call got the microphone at %.3f, want it beside the file", lvl)
	}
	if lvl := audio.ToneLevel(spk, audio.SampleRate, 700); lvl > 0.01 {
		t.Errorf("the speaker plays the file sent to the peer (%.3f)", lvl)
	}
	r.mustDo(api.CmdAudioStop.Name, nil)
	if ev := r.nextEventNamed(api.EvAudioPlay).Data.(api.PlayEvent); ev.State != api.PlayEnded || !ev.ToPeer {
		t.Errorf("after audio.stop: %+v", ev)
	}
}

// A page names a file of the sounds folder by name only: paths, traversal, other
// extensions and links leading out of the folder are refused, each with its code.
func TestPlayRefusesPathsOutOfTheSoundsFolder(t *testing.T) {
	r, sounds := soundRig(t)
	outside := filepath.Join(t.TempDir(), "secret.wav")
	writeToneWAV(t, outside, 8000, 1, 700, 100)
	if err := os.Symlink(outside, filepath.Join(sounds, "link.wav")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sounds, "notes.wav"), []byte("not a wav"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, code string }{
		{"../secret.wav", api.CodeInvalidArgs},
		{outside, api.CodeInvalidArgs},
		{`..\secret.wav`, api.CodeInvalidArgs},
		{"sub/x.wav", api.CodeInvalidArgs},
		{"C:x.wav", api.CodeInvalidArgs},
		{"..", api.CodeInvalidArgs},
		{"", api.CodeInvalidArgs},
		{"prompt.txt", api.CodeInvalidArgs},
		{"notes.wav", api.CodeInvalidArgs},
		{"missing.wav", api.CodeNotFound},
		{"link.wav", api.CodeNotFound},
	} {
		_, err := r.do(api.CmdAudioPlay.Name, &api.PlayArgs{File: tc.file})
		if got := apiCode(err); got != tc.code {
			t.Errorf("audio.play %q: %v (%s), want %s", tc.file, err, got, tc.code)
		}
	}
	for _, name := range []string{"../secret.wav", "link.wav"} {
		if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{Ringtone: ptr(name)}); err == nil {
			t.Errorf("ringtone %q accepted", name)
		}
	}
}

// The ringtone setting's file rings instead of the built-in ring.
func TestRingtoneFromTheSoundsFolder(t *testing.T) {
	r, sounds := soundRig(t)
	writeToneWAV(t, filepath.Join(sounds, "bell.wav"), 8000, 1, 900, 1000)
	if got := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{Ringtone: ptr("bell.wav")}).(api.Settings).Ringtone; got != "bell.wav" {
		t.Errorf("ringtone %q", got)
	}
	r.incoming("in-1")
	pcm := joinFrames(r.ticks(20))
	if lvl := audio.ToneLevel(pcm, audio.SampleRate, 900); lvl < 0.2 {
		t.Errorf("the ringtone's 900 Hz at %.3f", lvl)
	}
	if lvl := ringLevel([][]int16{pcm}); lvl > 0.01 {
		t.Errorf("the built-in ring (%.3f) sounds with a ringtone set", lvl)
	}
}

func sinAt(cycles float64) float64 { return math.Sin(2 * math.Pi * cycles) }
