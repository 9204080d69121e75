package endpoint

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/audio/device"
	"github.com/wpservice/wpservice/internal/config"
)

// flushEvery is how many frames a WAV recording takes between flushes: about one a
// second, so the file on disk is a valid WAV of nearly all of the call even when the
// engine is killed before Close.
const flushEvery = 50

// Endpoint is the local microphone and speaker. It is safe for concurrent use: the
// media clock reads and writes frames while the phone selects devices and Watch
// follows the device list.
type Endpoint struct {
	cfg        config.Audio
	log        *slog.Logger
	watch      watchFunc                                   // watchFromLists; tests script it
	openStream func(device.Config) (*device.Duplex, error) // device.Open, for the ringer's stream; tests script it

	useMu sync.Mutex // held by Use and Select, which open and close the device

	mu      sync.Mutex
	src     audio.Source     // the microphone when it is not a device: a WAV file or silence
	sink    audio.Sink       // the speaker when it is not a device: a WAV file or discard
	wavOut  *audio.WAVWriter // the speaker's recording, flushed every flushEvery frames
	written int              // frames written to the speaker
	duplex  *device.Duplex   // the open sound device, if any
	sides   device.Sides     // the sides of duplex: those the engine uses (use.go)
	backend string           // the backend the last device opened on
	inputs  []device.Device
	outputs []device.Device
	sel     selection
	using   selection   // what the open device opened on (fallback.go); zero while none is open
	ring    ringerState // the ringer's own stream, when it is not the speaker's device (ringer.go)

	onMove     func()             // told when the device moved to or from a fallback (SetOnMove)
	stopWatch  context.CancelFunc // ends the watch that runs while the device is open
	watching   sync.WaitGroup     // that watch's goroutine
	watchEvery time.Duration      // how often it polls: WatchInterval; tests shorten it
	closed     bool               // Close ran: no device opens any more
}

// selection is the chosen device ids; "default" is the system's default device.
type selection struct {
	input, output, ringer string
}

// Open builds the endpoint cfg describes. It opens the WAV files and, when either side
// is a sound device, lists the devices; it opens no sound device: Use does, while the
// engine needs one. A WAV file that cannot be read or created is an error.
func Open(cfg config.Audio, log *slog.Logger) (*Endpoint, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Endpoint{
		cfg:        cfg,
		log:        log,
		openStream: device.Open,
		watchEvery: WatchInterval,
		sel:        selection{input: cfg.InputDevice, output: cfg.OutputDevice, ringer: cfg.OutputDevice},
	}
	e.watch = e.watchFromLists
	switch cfg.Input {
	case "wav":
		s, err := audio.OpenWAV(cfg.InputFile, true)
		if err != nil {
			return nil, err
		}
		e.src = s
	case "null":
		e.src = audio.Silence{}
	}
	switch cfg.Output {
	case "wav":
		w, err := audio.CreateWAV(cfg.OutputFile, audio.SampleRate)
		if err != nil {
			return nil, err
		}
		e.wavOut, e.sink = w, w
	case "null":
		e.sink = audio.Discard{}
	}
	if e.usesDevice() {
		e.refresh()
	}
	return e, nil
}

// usesDevice reports whether either side is a sound device.
func (e *Endpoint) usesDevice() bool {
	return e.cfg.Input == "device" || e.cfg.Output == "device"
}

// Source is the microphone. It reads silence while no device is open.
func (e *Endpoint) Source() audio.Source { return microphone{e} }

// Sink is the speaker. It drops what it is given while no device is open, and after
// Close.
func (e *Endpoint) Sink() audio.Sink { return speaker{e} }

type microphone struct{ e *Endpoint }

func (m microphone) ReadFrame(pcm []int16) error {
	m.e.mu.Lock()
	src, d := m.e.src, m.e.duplex
	m.e.mu.Unlock()
	switch {
	case src != nil:
		return src.ReadFrame(pcm)
	case d != nil:
		return d.ReadFrame(pcm)
	}
	clear(pcm)
	return nil
}

type speaker struct{ e *Endpoint }

func (s speaker) WriteFrame(pcm []int16) error {
	s.e.mu.Lock()
	sink, d, rec := s.e.sink, s.e.duplex, s.e.wavOut
	s.e.written++
	flush := rec != nil && s.e.written%flushEvery == 0
	s.e.mu.Unlock()
	switch {
	case sink != nil:
		if err := sink.WriteFrame(pcm); err != nil {
			return err
		}
		if flush {
			return rec.Flush()
		}
		return nil
	case d != nil:
		return d.WriteFrame(pcm)
	}
	return nil
}

// Close stops the sound device and finishes the WAV recording; the speaker drops
// what it is given from then on.
func (e *Endpoint) Close() error {
	e.mu.Lock()
	d, rec := e.duplex, e.wavOut
	e.duplex, e.sides, e.wavOut, e.sink, e.using, e.closed = nil, 0, nil, audio.Discard{}, selection{}, true
	e.stopWatching()
	if e.ring.idle != nil {
		e.ring.idle.Stop()
	}
	e.mu.Unlock()
	e.ring.opens.Wait() // a stream opened meanwhile closes itself: e.closed is set
	e.closeRinger()
	e.watching.Wait()
	var errs []error
	if d != nil {
		errs = append(errs, closeInTime(d)) // a device gone under a stream may never close
	}
	if rec != nil {
		errs = append(errs, rec.Close())
	}
	return errors.Join(errs...)
}
