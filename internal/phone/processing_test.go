package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/dsp"
)

// TestProcessingSettings: aec, denoise and agc of settings.set, checked,
// reported, kept in the saved record and handed to the media clock.
func TestProcessingSettings(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.AudioInput, c.Settings.AudioOutput = "device", "device" })
	if got := r.p.pump.plan.Load().dsp; got != (dsp.Features{AEC: true, Denoise: true, AGC: true}) {
		t.Errorf("by default on a sound card the media clock's stages are %+v, want all", got)
	}
	if s := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.AEC != "auto" || s.Denoise != "auto" || s.AGC != "auto" {
		t.Errorf("defaults %q %q %q, want auto", s.AEC, s.Denoise, s.AGC)
	}
	s := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{AEC: ptr("off"), AGC: ptr("on")}).(api.Settings)
	if s.AEC != "off" || s.Denoise != "auto" || s.AGC != "on" {
		t.Errorf("after set: %q %q %q", s.AEC, s.Denoise, s.AGC)
	}
	if got := r.p.pump.plan.Load().dsp; got != (dsp.Features{Denoise: true, AGC: true}) {
		t.Errorf("the media clock's stages %+v, want denoise and agc", got)
	}
	wav := newRig(t, func(c *Config) {
		c.Settings.AudioInput, c.Settings.AudioOutput = "wav", "device"
		c.SavedSettings = r.p.saved
	})
	if got := wav.p.pump.plan.Load().dsp; got != (dsp.Features{AGC: true}) {
		t.Errorf("with a WAV microphone the stages are %+v, want only agc, set on", got)
	}
	again := newRig(t, func(c *Config) { c.SavedSettings = r.p.saved })
	if s := again.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.AEC != "off" || s.AGC != "on" {
		t.Errorf("after a restart %q %q, want the saved off and on", s.AEC, s.AGC)
	}
	for _, bad := range []api.SettingsArgs{{AEC: ptr("yes")}, {Denoise: ptr("")}, {AGC: ptr("1")}} {
		if _, err := r.do(api.CmdSettingsSet.Name, &bad); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("settings.set %+v: %v, want invalid_args", bad, err)
		}
	}
}

// TestProcessingOnHeadset: auto stages are off while a headset is in use,
// judged by the device's name; on and off stay as set.
func TestProcessingOnHeadset(t *testing.T) {
	laptop := api.Devices{
		Outputs: []api.Device{{ID: "1", Name: "Built-in Audio Analog Stereo", Default: true}, {ID: "2", Name: "Jabra EVOLVE 20 Hands-Free"}},
		Inputs:  []api.Device{{ID: "3", Name: "Built-in Audio Analog Stereo", Default: true}, {ID: "4", Name: "USB Headset Microphone"}},
	}
	tests := []struct {
		out, in string
		headset bool
	}{
		{"default", "default", false},
		{"2", "default", true},
		{"1", "4", true},
		{"", "", false},
		{"unplugged", "", false},
	}
	for _, tt := range tests {
		d := laptop
		d.SelectedOutput, d.SelectedInput = tt.out, tt.in
		if got := onHeadset(d); got != tt.headset {
			t.Errorf("output %q input %q: headset %v, want %v", tt.out, tt.in, got, tt.headset)
		}
	}
	p := Processing{AEC: "auto", Denoise: "on", AGC: "off"}
	if got := p.features(true); got != (dsp.Features{Denoise: true}) {
		t.Errorf("on a headset %+v", got)
	}
	if got := p.features(false); got != (dsp.Features{AEC: true, Denoise: true}) {
		t.Errorf("on a laptop %+v", got)
	}
}
