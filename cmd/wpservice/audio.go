package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/audio/device"
	"github.com/wpservice/wpservice/internal/config"
	"github.com/wpservice/wpservice/internal/phone"
)

// localAudio is the engine's microphone and speaker: a sound device through the audio
// backend, silence, or WAV files, as the config says.
type localAudio struct {
	cfg config.Audio
	log *slog.Logger

	mu      sync.Mutex
	src     audio.Source
	sink    audio.Sink
	duplex  *device.Duplex
	wavOut  *audio.WAVWriter
	frames  int
	inputs  []device.Device
	outputs []device.Device
	selIn   string
	selOut  string
	selRing string
}

var (
	_ phone.AudioIO      = (*localAudio)(nil)
	_ phone.RingerOutput = (*localAudio)(nil)
)

func openLocalAudio(cfg config.Audio, log *slog.Logger) (*localAudio, error) {
	a := &localAudio{cfg: cfg, log: log, selIn: cfg.InputDevice, selOut: cfg.OutputDevice, selRing: cfg.OutputDevice}
	switch cfg.Input {
	case "wav":
		s, err := audio.OpenWAV(cfg.InputFile, true)
		if err != nil {
			return nil, err
		}
		a.src = s
	case "null":
		a.src = audio.Silence{}
	}
	switch cfg.Output {
	case "wav":
		w, err := audio.CreateWAV(cfg.OutputFile, audio.SampleRate)
		if err != nil {
			return nil, err
		}
		a.wavOut, a.sink = w, w
	case "null":
		a.sink = audio.Discard{}
	}
	if cfg.Input == "device" || cfg.Output == "device" {
		a.refreshList()
		if err := a.openDevice(); err != nil {
			// no sound card is not fatal: calls still work, silent
			log.Warn("audio device unavailable; using silence", "err", err)
		}
	}
	return a, nil
}

// openDevice (re)opens the duplex device on the selected endpoints. Caller holds no lock.
func (a *localAudio) openDevice() error {
	d, err := device.Open(device.Config{Backend: a.cfg.Backend, Input: a.selIn, Output: a.selOut, Logger: a.log})
	if err != nil {
		return err
	}
	a.mu.Lock()
	old := a.duplex
	a.duplex = d
	a.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (a *localAudio) refreshList() bool {
	in, out, err := device.List(a.cfg.Backend)
	if err != nil {
		a.log.Debug("list devices", "err", err)
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	changed := !slices.Equal(in, a.inputs) || !slices.Equal(out, a.outputs)
	a.inputs, a.outputs = in, out
	return changed
}

// watch polls the device list and reports changes.
func (a *localAudio) watch(ctx context.Context, changed func()) {
	if a.cfg.Input != "device" && a.cfg.Output != "device" {
		return
	}
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if a.refreshList() {
				changed()
			}
		}
	}
}

func (a *localAudio) Source() audio.Source { return sourceFunc(a.readFrame) }
func (a *localAudio) Sink() audio.Sink     { return sinkFunc(a.writeFrame) }

// Ringer is where the ring tone plays (phone.RingerOutput). A sound device has one
// playback stream, so the ring is mixed into the speaker (nil). A WAV or null speaker
// keeps only call audio: a recording of a call has no ring tone in it.
func (a *localAudio) Ringer() audio.Sink {
	if a.cfg.Output == "device" {
		return nil
	}
	return audio.Discard{}
}

func (a *localAudio) readFrame(pcm []int16) error {
	a.mu.Lock()
	src, d := a.src, a.duplex
	a.mu.Unlock()
	switch {
	case src != nil:
		return src.ReadFrame(pcm)
	case d != nil:
		return d.ReadFrame(pcm)
	}
	clear(pcm)
	return nil
}

func (a *localAudio) writeFrame(pcm []int16) error {
	a.mu.Lock()
	sink, d, w := a.sink, a.duplex, a.wavOut
	a.frames++
	flush := w != nil && a.frames%50 == 0 // keep the WAV header true about once a second
	a.mu.Unlock()
	switch {
	case sink != nil:
		if err := sink.WriteFrame(pcm); err != nil {
			return err
		}
		if flush {
			return w.Flush()
		}
		return nil
	case d != nil:
		return d.WriteFrame(pcm)
	}
	return nil
}

func (a *localAudio) Devices() api.Devices {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := api.Devices{
		Backend: a.backendName(), Inputs: apiDevices(a.inputs), Outputs: apiDevices(a.outputs),
		SelectedInput: a.selIn, SelectedOutput: a.selOut, SelectedRinger: a.selRing,
	}
	return d
}

// backendName says what actually plays and records. Caller holds a.mu.
func (a *localAudio) backendName() string {
	switch {
	case a.cfg.Input == "wav" || a.cfg.Output == "wav":
		return "wav"
	case a.duplex != nil:
		return a.duplex.Backend()
	}
	return "null"
}

func apiDevices(ds []device.Device) []api.Device {
	out := make([]api.Device, 0, len(ds))
	for _, d := range ds {
		out = append(out, api.Device{ID: d.ID, Name: d.Name, Default: d.Default})
	}
	return out
}

func (a *localAudio) Select(args api.DeviceSelectArgs) (api.Devices, error) {
	a.mu.Lock()
	known := func(id string, list []device.Device) bool {
		return id == "" || id == "default" || slices.ContainsFunc(list, func(d device.Device) bool { return d.ID == id })
	}
	if !known(args.Input, a.inputs) || !known(args.Output, a.outputs) || !known(args.Ringer, a.outputs) {
		a.mu.Unlock()
		return api.Devices{}, api.NewError(api.CodeNotFound, "no such device; devices.list shows the ids")
	}
	in, out := a.selIn, a.selOut
	if args.Input != "" {
		a.selIn = args.Input
	}
	if args.Output != "" {
		a.selOut = args.Output
	}
	if args.Ringer != "" {
		a.selRing = args.Ringer
	}
	reopen := (a.selIn != in || a.selOut != out) && (a.cfg.Input == "device" || a.cfg.Output == "device")
	a.mu.Unlock()
	if reopen {
		if err := a.openDevice(); err != nil {
			return api.Devices{}, api.NewError(api.CodeUnavailable, fmt.Sprintf("open device: %v", err))
		}
	}
	return a.Devices(), nil
}

// Close stops the device and finishes the WAV recording.
func (a *localAudio) Close() error {
	a.mu.Lock()
	d, w := a.duplex, a.wavOut
	a.duplex, a.wavOut, a.sink = nil, nil, audio.Discard{}
	a.mu.Unlock()
	if d != nil {
		d.Close()
	}
	if w != nil {
		return w.Close()
	}
	return nil
}

type sourceFunc func([]int16) error

func (f sourceFunc) ReadFrame(p []int16) error { return f(p) }

type sinkFunc func([]int16) error

func (f sinkFunc) WriteFrame(p []int16) error { return f(p) }
