package phone

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/oggopus"
)

// Call recording: a call's audio, to a stereo WAV at the engine's rate, or stereo
// Opus in Ogg (the recordFormat setting, oggopus), in the recordings folder
// (Config.RecordingsDir): the left channel what the user sends (the microphone, and
// a file played into the call), the right what the peer sends.
// call.record starts and stops it; with the recordCalls setting every call is
// recorded from its answer. call.recording events name the file, never its path.
//
// The media clock must not wait on a disk: it copies each frame into the
// recording's ring (lock-free, audio.Ring), and a worker drains the ring every
// recordDrain and makes the file valid up to there every recordFlush (a WAV's header
// rewritten, an Ogg page written), so a file cut off by a crash or a kill is a valid
// recording of all but its last second. It stops with its
// call, and with the engine, which waits for it to close its file.

const (
	recordDrain   = 200 * time.Millisecond
	recordFlush   = time.Second
	recordBacklog = 4 // seconds of audio the ring holds if the disk stalls
)

// recording is one call's recording. The pump writes its frames (write); the
// worker (run) owns the file.
type recording struct {
	callID string
	line   int
	file   string // the name in the recordings folder
	ring   *audio.Ring
	frame  []int16 // one interleaved stereo frame, the pump's
	w      recordWriter
	stop   chan struct{}
	closed func() // posts the call.recording stopped event once the file is closed
	log    func(msg string, args ...any)
}

// recordWriter is a recording's file: an audio.WAVWriter or an oggopus.Writer, both
// given interleaved stereo frames.
type recordWriter interface {
	WriteFrame(pcm []int16) error
	Flush() error
	Close() error
}

// recordExt is the file name extension of each recording format: ".opus" for Ogg
// Opus, as RFC 7845 recommends.
var recordExt = map[string]string{api.RecordWAV: ".wav", api.RecordOgg: ".opus"}

// newRecordWriter starts a recording of format in f.
func newRecordWriter(f *os.File, format string) (recordWriter, error) {
	if format == api.RecordOgg {
		return oggopus.NewWriter(f)
	}
	return audio.NewWAVWriter(f, audio.SampleRate, 2)
}

// recordings is the actor's record of the recordings, by call id. auto names the
// calls recordCalls started recording, so that one the user stopped stays stopped.
type recordings struct {
	byCall map[string]*recording
	auto   map[string]bool
}

// of is c's recording, or nil.
func (r *recordings) of(c *call) *recording { return r.byCall[c.id] }

// write appends one frame of each side to the recording. It does not allocate or
// block; a nil recording records nothing.
func (r *recording) write(local, remote []int16) {
	if r == nil || r.ring.Cap()-r.ring.Len() < len(r.frame) {
		return // a stalled disk loses whole frames, never one side of one
	}
	for i := range audio.FrameSamples {
		r.frame[2*i], r.frame[2*i+1] = local[i], remote[i]
	}
	r.ring.Write(r.frame)
}

// record runs call.record.
func (p *Phone) record(a *api.RecordArgs) (api.RecordResult, error) {
	c, err := p.resolve(a.CallRef)
	if err != nil {
		return api.RecordResult{}, err
	}
	switch a.Action {
	case api.RecordStart:
		if c.state == stEnded {
			return api.RecordResult{}, fmt.Errorf("%w: the call on line %d has ended", ErrCallState, c.line)
		}
		rec, err := p.startRecording(c)
		if err != nil {
			return api.RecordResult{}, err
		}
		p.updatePump()
		return api.RecordResult{File: rec.file}, nil
	case api.RecordStop:
		rec := p.recs.of(c)
		if rec == nil {
			return api.RecordResult{}, fmt.Errorf("%w: the call on line %d is not being recorded", ErrCallState, c.line)
		}
		p.stopRecording(rec)
		p.updatePump()
		return api.RecordResult{File: rec.file}, nil
	}
	return api.RecordResult{}, api.BadArg("action", `"start" or "stop"`)
}

// startRecording creates c's recording file and starts its worker; a call already
// recorded keeps its recording.
func (p *Phone) startRecording(c *call) (*recording, error) {
	if rec := p.recs.of(c); rec != nil {
		return rec, nil
	}
	dir := p.cfg.RecordingsDir
	if dir == "" {
		return nil, fmt.Errorf("%w: no recordings folder is configured", ErrRecording)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		p.log.Warn("recordings folder", "err", err)
		return nil, fmt.Errorf("%w: the recordings folder cannot be made", ErrRecording)
	}
	format := p.settings.Sound.format()
	name := strings.TrimSuffix(recordingName(p.settings.Sound.nameTemplate(), c, p.now()), ".wav") + recordExt[format]
	f, name, err := createRecordingFile(dir, name)
	if err != nil {
		p.log.Warn("recording file", "call", c.id, "err", err)
		return nil, fmt.Errorf("%w: the file cannot be created", ErrRecording)
	}
	w, err := newRecordWriter(f, format)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %w", ErrRecording, err)
	}
	rec := &recording{
		callID: c.id, line: c.line, file: name, w: w, stop: make(chan struct{}),
		ring:  audio.NewRing(2 * audio.SampleRate * recordBacklog),
		frame: make([]int16, 2*audio.FrameSamples),
		log:   p.log.With("call", c.id).Warn,
	}
	rec.closed = func() { p.post(func() { p.bus.Emit(api.EvCallRecording, rec.event(api.RecordingStopped)) }) }
	if p.recs.byCall == nil {
		p.recs.byCall = map[string]*recording{}
	}
	p.recs.byCall[c.id] = rec
	p.goWork(rec.run)
	p.bus.Emit(api.EvCallRecording, rec.event(api.RecordingStarted))
	return rec, nil
}

// stopRecording takes rec off the media clock at the next plan and tells its worker
// to write what is left and close the file; call.recording says stopped once it has.
func (p *Phone) stopRecording(rec *recording) {
	delete(p.recs.byCall, rec.callID)
	close(rec.stop)
}

// syncRecordings starts recordCalls' recording of each answered call and stops the
// recordings of the calls that ended. updatePump calls it before it makes a plan.
func (p *Phone) syncRecordings() {
	live := map[string]bool{}
	p.lines.each(func(c *call) {
		live[c.id] = true
		if p.settings.Sound.RecordCalls && c.state == stActive && c.mediaOn && !p.recs.auto[c.id] {
			if p.recs.auto == nil {
				p.recs.auto = map[string]bool{}
			}
			p.recs.auto[c.id] = true
			if _, err := p.startRecording(c); err != nil {
				p.log.Warn("recordCalls", "call", c.id, "err", err)
			}
		}
	})
	for id, rec := range p.recs.byCall {
		if !live[id] {
			p.stopRecording(rec)
		}
	}
	for id := range p.recs.auto {
		if !live[id] {
			delete(p.recs.auto, id)
		}
	}
}

func (r *recording) event(state string) api.RecordingEvent {
	return api.RecordingEvent{CallID: r.callID, Line: r.line, State: state, File: r.file}
}

// run is the recording's worker: it moves the ring's audio to the file every
// recordDrain, makes the file valid up to there every recordFlush, and on stop (or
// the engine's end) writes the rest and closes the file.
func (r *recording) run(ctx context.Context) {
	buf := make([]int16, r.ring.Cap())
	tick := time.NewTicker(recordDrain)
	defer tick.Stop()
	lastFlush := time.Now()
	drain := func() {
		n := r.ring.Read(buf[:r.ring.Len()&^1])
		if err := r.w.WriteFrame(buf[:n]); err != nil {
			r.log("recording", "err", err)
		}
	}
	for {
		select {
		case <-tick.C:
			drain()
			if time.Since(lastFlush) >= recordFlush {
				if err := r.w.Flush(); err != nil {
					r.log("recording", "err", err)
				}
				lastFlush = time.Now()
			}
		case <-r.stop:
			drain()
			r.close()
			r.closed()
			return
		case <-ctx.Done():
			drain()
			r.close()
			return
		}
	}
}

func (r *recording) close() {
	if err := r.w.Close(); err != nil {
		r.log("recording", "err", err)
	}
}

// createRecordingFile creates name in dir, or name-1, name-2... when it exists,
// only ever a new file in dir itself (os.Root).
func createRecordingFile(dir, name string) (*os.File, string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", err
	}
	defer root.Close()
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 0; i < 100; i++ {
		if i > 0 {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("%s: too many recordings of that name", base)
}
