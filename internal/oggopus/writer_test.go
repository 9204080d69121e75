package oggopus

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// The two sides of a call: the user's tone on the left, the peer's on the right.
const leftHz, rightHz = 700, 1300

// stereoTone is d of leftHz on the left and rightHz on the right, interleaved, at
// the engine's rate and a quarter of full scale.
func stereoTone(d time.Duration) []int16 {
	n := int(d.Seconds() * audio.SampleRate)
	l, r := audio.NewToneSource(leftHz, 8000), audio.NewToneSource(rightHz, 8000)
	left, right := make([]int16, n), make([]int16, n)
	_ = l.ReadFrame(left)
	_ = r.ReadFrame(right)
	out := make([]int16, 0, 2*n)
	for i := range n {
		out = append(out, left[i], right[i])
	}
	return out
}

func needOpus(t *testing.T) {
	t.Helper()
	if !opus.Available {
		t.Skip("no libopus in a build without cgo")
	}
}

// writeFile writes pcm to a new file in pieces of odd sizes, as a recording's worker
// drains what the media clock left; close says whether it closes the Writer.
func writeFile(t *testing.T, pcm []int16, close bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "call.opus")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	for at, n := 0, 0; at < len(pcm); at += n {
		n = min(2*(97+at%301), len(pcm)-at)
		if err := w.WriteFrame(pcm[at : at+n]); err != nil {
			t.Fatal(err)
		}
	}
	if close {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Cleanup(func() { f.Close() })
	}
	return path
}

func readFile(t *testing.T, path string) File {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// checkSides checks that each channel holds its side's tone and not the other's.
func checkSides(t *testing.T, left, right []int16) {
	t.Helper()
	for _, c := range []struct {
		name      string
		pcm       []int16
		hz, other float64
	}{{"left", left, leftHz, rightHz}, {"right", right, rightHz, leftHz}} {
		tail := c.pcm[len(c.pcm)/4:] // past the codec's start
		if lvl := audio.ToneLevel(tail, audio.SampleRate, c.hz); lvl < 0.2 {
			t.Errorf("the %s channel has its %.0f Hz tone at %.3f of full scale, want 0.24", c.name, c.hz, lvl)
		}
		if lvl := audio.ToneLevel(tail, audio.SampleRate, c.other); lvl > 0.02 {
			t.Errorf("the %s channel has the other side's %.0f Hz tone at %.3f of full scale", c.name, c.other, lvl)
		}
	}
}

// A closed file is a whole Ogg Opus stream (RFC 7845): OpusHead and OpusTags, then
// the audio, whose last granule position is the audio's length; decoded, each side
// is in its channel and the length is the one written: the last frame's padding
// trimmed, the audio still in the encoder's look-ahead coded.
func TestClosedFileDecodesToBothSides(t *testing.T) {
	needOpus(t)
	for _, d := range []time.Duration{3 * time.Second, 2*time.Second + 7*time.Millisecond} {
		pcm := stereoTone(d)
		f := readFile(t, writeFile(t, pcm, true))
		if f.Channels != 2 || f.InputRate != audio.SampleRate || f.Vendor != vendor || !f.Ended || f.Truncated {
			t.Fatalf("%v: headers %+v, want stereo at %d Hz from %s, ended", d, f, audio.SampleRate, vendor)
		}
		samples := len(pcm) / 2
		if want := uint64(f.PreSkip + samples*granuleRate/audio.SampleRate); f.Granule != want {
			t.Errorf("%v: last granule %d, want %d: the pre-skip %d and %d samples at 48 kHz", d, f.Granule, want, f.PreSkip, samples*3)
		}
		left, right, err := f.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != samples {
			t.Errorf("%v: %d samples decoded, want the %d written", d, len(left), samples)
		}
		checkSides(t, left, right)
	}
}

// A recording's writer killed before Close leaves the file it wrote: every second
// of audio is on a page already, so all but the last second is readable. The writer
// runs in a child process that is killed with SIGKILL.
func TestKilledWriterLeavesAReadableFile(t *testing.T) {
	needOpus(t)
	if path := os.Getenv("OGGOPUS_KILL_ME"); path != "" {
		writeUntilKilled(path)
		return
	}
	path := filepath.Join(t.TempDir(), "killed.opus")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesAReadableFile$")
	cmd.Env = append(os.Environ(), "OGGOPUS_KILL_ME="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make([]byte, 1)
	if _, err := out.Read(ready); err != nil { // the child wrote 2.5 s of audio
		t.Fatalf("the writer did not start: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no Close, no deferred call
		t.Fatal(err)
	}
	_ = cmd.Wait()

	f := readFile(t, path)
	if f.Ended {
		t.Error("a killed writer's file is marked ended")
	}
	left, right, err := f.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(len(left)) * time.Second / audio.SampleRate; got < 1500*time.Millisecond {
		t.Fatalf("%v readable of the 2.5 s written before the kill, want all but the last second", got)
	}
	checkSides(t, left, right)
}

// writeUntilKilled writes 2.5 s of the stereo tone to path, says so on standard
// output and waits to be killed.
func writeUntilKilled(path string) {
	f, err := os.Create(path)
	if err != nil {
		os.Exit(2)
	}
	w, err := NewWriter(f)
	if err != nil {
		os.Exit(2)
	}
	pcm := stereoTone(2500 * time.Millisecond)
	for at := 0; at < len(pcm); at += frameSamples {
		if err := w.WriteFrame(pcm[at:min(at+frameSamples, len(pcm))]); err != nil {
			os.Exit(2)
		}
	}
	os.Stdout.Write([]byte{'\n'})
	select {}
}

// A file cut off inside a page reads up to the page before.
func TestCutOffPageIsLeftOut(t *testing.T) {
	needOpus(t)
	path := writeFile(t, stereoTone(3*time.Second), true)
	whole := readFile(t, path)
	b, _ := os.ReadFile(path)
	cut, err := Read(bytes.NewReader(b[:len(b)-100]))
	if err != nil {
		t.Fatal(err)
	}
	if !cut.Truncated || cut.Ended || len(cut.Packets) >= len(whole.Packets) || len(cut.Packets) == 0 {
		t.Errorf("cut off: %d packets of %d, truncated %v, ended %v; want the pages before the cut", len(cut.Packets), len(whole.Packets), cut.Truncated, cut.Ended)
	}
}

// Ogg's checksum is CRC-32 with polynomial 0x04c11db7, unreflected, initial value
// and final XOR zero: its check value is 0x89a1897f.
func TestChecksum(t *testing.T) {
	if got := crc([]byte("123456789")); got != 0x89a1897f {
		t.Errorf("crc(123456789) = %08x, want 89a1897f", got)
	}
}
