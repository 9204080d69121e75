package testpeer

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wpservice/wpservice/internal/audio"
)

// PulseRecording is what the server's speaker plays, recorded from its
// monitor by parec as mono 16-bit samples at RecordRate.
type PulseRecording struct {
	path string
	proc *process
}

// RecordRate is the rate of a PulseRecording's samples: the engine's.
const RecordRate = audio.SampleRate

// RecordSpeaker starts recording what any client plays on the speaker. The
// recorder is a client of its own (parec), so its stream is not counted in
// another process's StreamsOf.
func (p *Pulse) RecordSpeaker(t TB) *PulseRecording {
	t.Helper()
	return p.RecordSink(t, PulseSpeaker)
}

// RecordSink starts recording what any client plays on the sink called name, as
// RecordSpeaker does for the speaker.
func (p *Pulse) RecordSink(t TB, name string) *PulseRecording {
	t.Helper()
	bin := Need(t, "parec")
	dir := t.TempDir()
	r := &PulseRecording{path: filepath.Join(dir, name+".raw")}
	r.proc = startProcessEnv(t, "parec", dir, p.Env(), bin,
		"--device="+name+".monitor", "--raw", "--format=s16le", "--rate="+strconv.Itoa(RecordRate), "--channels=1",
		"--latency-msec=20", r.path)
	return r
}

// Stop ends the recording and returns its samples.
func (r *PulseRecording) Stop(t TB) []int16 {
	t.Helper()
	r.proc.stop()
	b, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatalf("parec: %v\n%s", err, r.proc.tail(tailLines))
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}
