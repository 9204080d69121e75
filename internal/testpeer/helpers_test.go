package testpeer

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// toneWAV writes an 8 kHz mono 16-bit sine of hz lasting seconds, at half
// scale, with sox.
func toneWAV(t *testing.T, seconds, hz int) string {
	t.Helper()
	sox := Need(t, "sox")
	path := filepath.Join(t.TempDir(), fmt.Sprintf("tone%d.wav", hz))
	out, err := exec.Command(sox, "-n", "-r", "8000", "-c", "1", "-b", "16", path,
		"synth", fmt.Sprint(seconds), "sine", fmt.Sprint(hz), "vol", "0.5").CombinedOutput()
	if err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	return path
}

type wavStats struct {
	samples int     // 16-bit samples after the header
	peak    int     // largest absolute sample
	hz      float64 // tone frequency from upward zero crossings
}

// readWAVStats reads the samples after the canonical 44-byte header of a
// mono 8 kHz 16-bit WAV file. It reads them directly, so a dump whose header
// is not finalised yet still counts. The frequency is measured between the
// first and last loud samples, so leading and trailing silence is ignored.
func readWAVStats(t *testing.T, path string) wavStats {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file (%d bytes)", path, len(b))
	}
	const loud = 1000
	var st wavStats
	first, last, crossings, prev := -1, -1, 0, 0
	for i := 44; i+1 < len(b); i += 2 {
		v := int(int16(binary.LittleEndian.Uint16(b[i:])))
		st.peak = max(st.peak, v, -v)
		if v > loud || v < -loud {
			if first < 0 {
				first = st.samples
			}
			last = st.samples
		}
		if prev < 0 && v >= 0 {
			crossings++
		}
		prev = v
		st.samples++
	}
	if last > first {
		st.hz = float64(crossings) * 8000 / float64(last-first)
	}
	return st
}
