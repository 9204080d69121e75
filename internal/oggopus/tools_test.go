package oggopus

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// The file as players see it: opus-tools' opusinfo finds nothing to warn about (the
// checksums, the headers, the granule positions and the end trimming), and opusdec
// decodes it to the audio written, each side in its channel.
func TestOpusToolsReadTheFile(t *testing.T) {
	needOpus(t)
	info, dec := testpeer.Need(t, "opusinfo"), testpeer.Need(t, "opusdec")
	pcm := stereoTone(2*time.Second + 7*time.Millisecond)
	path := writeFile(t, pcm, true)
	out, err := exec.Command(info, path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "WARNING") || strings.Contains(string(out), "ERROR") ||
		!strings.Contains(string(out), "Playback length: 0m:02.007s") {
		t.Fatalf("opusinfo: %v\n%s", err, out)
	}
	wav := filepath.Join(t.TempDir(), "decoded.wav")
	if out, err := exec.Command(dec, "--quiet", "--rate", "16000", path, wav).CombinedOutput(); err != nil {
		t.Fatalf("opusdec: %v\n%s", err, out)
	}
	f, err := os.Open(wav)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wi, ch, err := audio.ParseWAVChannels(f)
	if err != nil || wi.Channels != 2 {
		t.Fatalf("opusdec's WAV: %+v, %v; want stereo", wi, err)
	}
	if len(ch[0]) != len(pcm)/2 {
		t.Errorf("opusdec decoded %d samples, want the %d written", len(ch[0]), len(pcm)/2)
	}
	checkSides(t, ch[0], ch[1])
}
