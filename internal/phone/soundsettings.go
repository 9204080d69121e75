package phone

import (
	"strings"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/codec/opus"
)

// SoundSettings are the settings of tones, the ringtone and recording.
type SoundSettings struct {
	TonePlan      string // a name of audio.TonePlans; "" = audio.DefaultTonePlan
	Ringtone      string // a WAV file name in the sounds folder; "" = the built-in ring
	RecordCalls   bool   // record every call once answered (record.go)
	RecordingName string // the recordings' file name template (recordname.go); "" = defaultRecordingName
	RecordFormat  string // api.RecordWAV or api.RecordOgg; "" = api.RecordWAV (record.go)
}

// format is the recordings' format in use.
func (s SoundSettings) format() string {
	if s.RecordFormat == "" {
		return api.RecordWAV
	}
	return s.RecordFormat
}

// plan is the tone plan in use.
func (s SoundSettings) plan() *audio.TonePlan {
	pl, ok := audio.TonePlans[s.TonePlan]
	if !ok {
		pl = audio.TonePlans[audio.DefaultTonePlan]
	}
	return &pl
}

// nameTemplate is the recordings' file name template in use.
func (s SoundSettings) nameTemplate() string {
	if s.RecordingName == "" {
		return defaultRecordingName
	}
	return s.RecordingName
}

// applySound returns s with the sound fields a sets, refusing values out of range
// (settingsave.go).
func applySound(s SoundSettings, a api.SettingsArgs) (SoundSettings, error) {
	if a.TonePlan != nil {
		if _, ok := audio.TonePlans[*a.TonePlan]; !ok {
			return SoundSettings{}, api.BadArg("tonePlan", strings.Join(audio.TonePlanNames(), ", "))
		}
		s.TonePlan = *a.TonePlan
	}
	if a.Ringtone != nil {
		if *a.Ringtone != "" {
			if err := checkSoundName("ringtone", *a.Ringtone); err != nil {
				return SoundSettings{}, err
			}
		}
		s.Ringtone = *a.Ringtone
	}
	if a.RecordCalls != nil {
		s.RecordCalls = *a.RecordCalls
	}
	if a.RecordingName != nil {
		if err := checkNameTemplate(*a.RecordingName); err != nil {
			return SoundSettings{}, err
		}
		s.RecordingName = *a.RecordingName
	}
	if a.RecordFormat != nil {
		switch *a.RecordFormat {
		case api.RecordWAV:
		case api.RecordOgg:
			if !opus.Available {
				return SoundSettings{}, api.BadArg("recordFormat", `"wav": this build has no Opus`)
			}
		default:
			return SoundSettings{}, api.BadArg("recordFormat", `"wav" or "ogg"`)
		}
		s.RecordFormat = *a.RecordFormat
	}
	return s, nil
}

// publicSound fills the sound fields of the reported settings.
func (s SoundSettings) public(out *api.Settings) {
	out.TonePlan = s.plan().Name
	out.Ringtone = s.Ringtone
	out.RecordCalls = s.RecordCalls
	out.RecordingName = s.nameTemplate()
	out.RecordFormat = s.format()
}
