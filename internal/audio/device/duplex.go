//go:build cgo

package device

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gen2brain/malgo"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/resample"
)

// RingFrames is how many 20 ms frames each direction buffers between the device
// callback and the engine (200 ms): enough to ride out scheduling jitter on a busy
// desktop, small enough that a backlog is dropped rather than turned into delay.
const RingFrames = 10

// Duplex is an open capture and playback pair. As an audio.Source, ReadFrame returns
// the next 20 ms captured from the input; as an audio.Sink, WriteFrame queues 20 ms
// for the output. One goroutine may call ReadFrame and one (possibly another) may
// call WriteFrame at a time; Stats and Backend may be called from anywhere.
type Duplex struct {
	log     *slog.Logger
	backend string
	ctx     *malgo.AllocatedContext
	devices []*malgo.Device // one duplex device, or capture then playback

	capture  *audio.Ring // filled by the callback, drained by ReadFrame
	playback *audio.Ring // filled by WriteFrame, drained by the callback
	// in and out convert, in the callback, between each device's own rate and
	// the engine's, at which the rings hold their samples.
	in, out rateSide
	opened  Sides // the sides a device was opened for

	framesCaptured atomic.Uint64
	framesPlayed   atomic.Uint64

	closeMu sync.Mutex
	closed  atomic.Bool
}

var (
	_ audio.Source = (*Duplex)(nil)
	_ audio.Sink   = (*Duplex)(nil)
)

// Open opens and starts the input and output selected by cfg at their native
// rate (the one the sound server or driver runs them at, typically 48 kHz), mono,
// signed 16-bit, with a 20 ms period; the callback converts to and from the
// engine's rate with the resampler of internal/codec/resample. When both are the default devices it opens one duplex device. When either
// is chosen explicitly it opens a capture device and a playback device: they may be
// different hardware with different clocks, and each ring absorbs its own drift.
// With cfg.Sides one side only, it opens that side alone: the other reads silence
// or drops what it is given.
//
// With Backend "auto" it tries the platform's backends in order and uses the first
// that opens; Backend reports which. Errors wrap ErrUnknownBackend,
// ErrDeviceNotFound, ErrOpen or ErrNoBackend.
func Open(cfg Config) (*Duplex, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "audio-device")
	names, err := candidateBackends(cfg.Backend)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, name := range names {
		d, err := openOn(name, cfg, log)
		if err == nil {
			return d, nil
		}
		log.Debug("backend unavailable", "backend", name, "err", err)
		errs = append(errs, err)
	}
	err = errors.Join(errs...)
	if len(names) == 1 && (errors.Is(err, ErrOpen) || errors.Is(err, ErrDeviceNotFound)) {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %w", ErrNoBackend, err)
}

func openOn(backend string, cfg Config, log *slog.Logger) (*Duplex, error) {
	ctx, err := initContext(backend, func(msg string) {
		log.Debug("miniaudio", "backend", backend, "detail", strings.TrimSpace(msg))
	})
	if err != nil {
		return nil, err
	}
	d := &Duplex{
		log:      log,
		backend:  backend,
		ctx:      ctx,
		capture:  audio.NewRing(RingFrames * audio.FrameSamples),
		playback: audio.NewRing(RingFrames * audio.FrameSamples),
	}
	if err := d.openDevices(cfg); err != nil {
		d.release()
		return nil, fmt.Errorf("backend %s: %w", backend, err)
	}
	log.Info("audio device open", "backend", backend, "input", sideLabel(cfg, Capture, cfg.Input),
		"output", sideLabel(cfg, Playback, cfg.Output), "duplex", len(d.devices) == 1 && cfg.Sides != Capture && cfg.Sides != Playback)
	return d, nil
}

func (d *Duplex) openDevices(cfg Config) error {
	sides := cfg.Sides
	if sides == 0 {
		sides = Both
	}
	if sides == Both && isDefault(cfg.Input) && isDefault(cfg.Output) {
		return d.openDevice(malgo.Duplex, "", "")
	}
	if sides&Capture != 0 {
		if err := d.openDevice(malgo.Capture, cfg.Input, ""); err != nil {
			return err
		}
	}
	if sides&Playback != 0 {
		return d.openDevice(malgo.Playback, "", cfg.Output)
	}
	return nil
}

// openDevice initialises and starts one device of kind, with the given capture and
// playback device IDs ("" or "default" for the default device).
func (d *Duplex) openDevice(kind malgo.DeviceType, input, output string) error {
	conf := malgo.DefaultDeviceConfig(kind)
	conf.SampleRate = 0 // the device's native rate
	conf.PeriodSizeInMilliseconds = audio.FrameMillis
	conf.Capture.Format = malgo.FormatS16
	conf.Capture.Channels = 1
	conf.Playback.Format = malgo.FormatS16
	conf.Playback.Channels = 1

	// miniaudio copies the IDs during init; they are pinned so that the config
	// handed to C may point at them.
	var pinner runtime.Pinner
	defer pinner.Unpin()
	if !isDefault(input) {
		id, err := findDevice(d.ctx.Context, malgo.Capture, input)
		if err != nil {
			return err
		}
		pinner.Pin(&id)
		conf.Capture.DeviceID = unsafe.Pointer(&id)
	}
	if !isDefault(output) {
		id, err := findDevice(d.ctx.Context, malgo.Playback, output)
		if err != nil {
			return err
		}
		pinner.Pin(&id)
		conf.Playback.DeviceID = unsafe.Pointer(&id)
	}

	dev, err := malgo.InitDevice(d.ctx.Context, conf, malgo.DeviceCallbacks{Data: d.onData})
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrOpen, kindName(kind), err)
	}
	d.devices = append(d.devices, dev)
	rate := int(dev.SampleRate())
	if rate <= 0 {
		return fmt.Errorf("%w: %s: no sample rate", ErrOpen, kindName(kind))
	}
	if kind != malgo.Playback {
		d.in, d.opened = newRateSide(resample.New(rate, audio.SampleRate), rate), d.opened|Capture
	}
	if kind != malgo.Capture {
		d.out, d.opened = newRateSide(resample.New(audio.SampleRate, rate), rate), d.opened|Playback
	}
	d.log.Debug("device rate", "kind", kindName(kind), "rate", rate)
	if err := dev.Start(); err != nil {
		return fmt.Errorf("%w: starting %s: %w", ErrOpen, kindName(kind), err)
	}
	return nil
}

// onData is the device callback, on the backend's real-time thread. It must not
// allocate, log, lock or block. Buffers are mono S16 in native byte order, as
// configured; miniaudio has converted from the hardware format.
func (d *Duplex) onData(output, input []byte, frames uint32) {
	if len(input) > 0 {
		d.capture.Write(d.in.toEngine(int16s(input)))
		d.framesCaptured.Add(uint64(frames))
	}
	if len(output) > 0 {
		d.out.fromEngine(int16s(output), d.playback)
		d.framesPlayed.Add(uint64(frames))
	}
}

// int16s views a device buffer of native-endian S16 samples as []int16.
func int16s(b []byte) []int16 {
	return unsafe.Slice((*int16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}

// ReadFrame fills pcm with the oldest captured audio, padding with silence when the
// device has not delivered enough. It returns audio.ErrClosed after Close.
func (d *Duplex) ReadFrame(pcm []int16) error {
	if d.closed.Load() {
		return audio.ErrClosed
	}
	n := d.capture.Read(pcm)
	clear(pcm[n:])
	return nil
}

// WriteFrame queues pcm for playback. When the playback buffer is full the excess is
// dropped and counted in Stats.PlaybackOverruns. It returns audio.ErrClosed after
// Close.
func (d *Duplex) WriteFrame(pcm []int16) error {
	if d.closed.Load() {
		return audio.ErrClosed
	}
	d.playback.Write(pcm)
	return nil
}

// Backend returns the name of the backend the devices were opened on ("null",
// "alsa", "wasapi", ...), which for Config.Backend "auto" is the one that worked.
func (d *Duplex) Backend() string { return d.backend }

// Stats returns a snapshot of the counters.
func (d *Duplex) Stats() Stats {
	return Stats{
		FramesCaptured:    d.in.engineFrames(d.framesCaptured.Load()),
		FramesPlayed:      d.out.engineFrames(d.framesPlayed.Load()),
		CaptureOverruns:   d.capture.Overruns(),
		CaptureUnderruns:  d.capture.Underruns(),
		PlaybackOverruns:  d.playback.Overruns(),
		PlaybackUnderruns: d.playback.Underruns(),
	}
}

// Close stops the devices, waiting for a running callback to return, and releases
// them and the backend context. A second Close returns audio.ErrClosed.
func (d *Duplex) Close() error {
	d.closeMu.Lock()
	defer d.closeMu.Unlock()
	if d.closed.Swap(true) {
		return audio.ErrClosed
	}
	d.release()
	d.log.Info("audio device closed", "backend", d.backend, "stats", d.Stats())
	return nil
}

// release uninitialises the devices (which stops them and waits for the callback)
// and then the context.
func (d *Duplex) release() {
	for _, dev := range d.devices {
		dev.Uninit()
	}
	d.devices = nil
	freeContext(d.ctx)
}

// sideLabel names the device opened on side, or "closed" when cfg leaves it shut.
func sideLabel(cfg Config, side Sides, id string) string {
	if cfg.Sides != 0 && cfg.Sides&side == 0 {
		return "closed"
	}
	return deviceLabel(id)
}

func deviceLabel(id string) string {
	if isDefault(id) {
		return "default"
	}
	return id
}

// Rates are the capture and the playback device's own rates, which the
// callback converts from and to the engine's; 0 for a side not opened.
func (d *Duplex) Rates() (capture, playback int) {
	side := func(s rateSide, open bool) int {
		switch {
		case !open:
			return 0
		case s.rate == 0:
			return audio.SampleRate
		}
		return s.rate
	}
	return side(d.in, d.opened&Capture != 0), side(d.out, d.opened&Playback != 0)
}
