package phone

import (
	"strings"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/dsp"
)

// Processing is the microphone's processing as set: echo cancellation, noise
// suppression and gain control, each api.ProcessingAuto, On or Off. Auto is on
// for a sound card's microphone and speaker unless the user listens on a
// headset: its speaker is at the ear, so the microphone hears no echo, and its
// microphone at the mouth needs neither cleaning nor levelling as a laptop's
// does.
type Processing struct {
	AEC, Denoise, AGC string
}

// DefaultProcessing is auto for each stage.
var DefaultProcessing = Processing{AEC: api.ProcessingAuto, Denoise: api.ProcessingAuto, AGC: api.ProcessingAuto}

// withDefaults fills the stages not set with auto.
func (p Processing) withDefaults() Processing {
	for _, v := range []*string{&p.AEC, &p.Denoise, &p.AGC} {
		if *v == "" {
			*v = api.ProcessingAuto
		}
	}
	return p
}

// features resolves the settings: auto stages are off when autoOff.
func (p Processing) features(autoOff bool) dsp.Features {
	on := func(v string) bool { return v == api.ProcessingOn || v == api.ProcessingAuto && !autoOff }
	return dsp.Features{AEC: on(p.AEC), Denoise: on(p.Denoise), AGC: on(p.AGC)}
}

// applyProcessing returns p with the stages a sets, refusing other values.
func applyProcessing(p Processing, a api.SettingsArgs) (Processing, error) {
	for _, f := range []struct {
		name string
		arg  *string
		to   *string
	}{{"aec", a.AEC, &p.AEC}, {"denoise", a.Denoise, &p.Denoise}, {"agc", a.AGC, &p.AGC}} {
		if f.arg == nil {
			continue
		}
		switch *f.arg {
		case api.ProcessingAuto, api.ProcessingOn, api.ProcessingOff:
			*f.to = *f.arg
		default:
			return Processing{}, api.BadArg(f.name, "auto, on or off")
		}
	}
	return p, nil
}

// headsetWords are what a headset's name says, in the names the systems give
// devices ("Headset Earphone", "Jabra EVOLVE 20 Hands-Free", "AirPods Pro").
var headsetWords = []string{"headset", "headphone", "earphone", "earbud", "earpiece", "airpods", "hands-free", "handsfree"}

// isHeadset guesses from a device's name whether it is worn at the head.
func isHeadset(name string) bool {
	name = strings.ToLower(name)
	for _, w := range headsetWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// processing is the stages the media clock runs now. Auto ones run only on a
// sound card's microphone and speaker (audio.input and audio.output "device",
// not a WAV file or silence, which have neither echo nor noise), and not on a
// headset.
func (p *Phone) processing() dsp.Features {
	s := p.settings
	auto := s.AudioInput == "device" && s.AudioOutput == "device" && !onHeadset(p.cfg.Audio.Devices())
	return s.Processing.features(!auto)
}

// onHeadset reports whether the speaker or the microphone in use is, by its
// name, a headset; an unknown device is taken as none, so processing runs.
func onHeadset(d api.Devices) bool {
	name := func(list []api.Device, id string) string {
		for _, dev := range list {
			if dev.ID == id || (id == "" || id == "default") && dev.Default {
				return dev.Name
			}
		}
		return ""
	}
	return isHeadset(name(d.Outputs, d.SelectedOutput)) || isHeadset(name(d.Inputs, d.SelectedInput))
}
