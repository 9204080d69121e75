package phone

import (
	"fmt"
	"reflect"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Settings changed with settings.set outlive the engine: each change is merged into
// the record of every field settings.set ever changed, and that record is saved
// (SettingsStore) before the change is made, as an account is. At start the record
// is applied over the settings of the config files (Config.SavedSettings), so a
// field the user changed keeps the user's value, and every other field the files'.

// SettingsStore keeps the settings changed with settings.set.
type SettingsStore interface {
	SaveSettings(api.SettingsArgs) error
}

// applySettings returns s with the fields a sets, refusing values out of range.
func applySettings(s Settings, a api.SettingsArgs) (Settings, error) {
	if a.RTPTimeout != nil {
		if *a.RTPTimeout < 0 || *a.RTPTimeout > 3600 {
			return Settings{}, api.BadArg("rtpTimeout", "0..3600 seconds")
		}
		s.RTPTimeout = time.Duration(*a.RTPTimeout) * time.Second
	}
	for _, l := range []struct {
		name string
		v    *int
		max  int
		to   *time.Duration
	}{
		{"ringTimeoutOut", a.RingTimeoutOut, maxRingTimeout, &s.RingTimeoutOut},
		{"callTimeout", a.CallTimeout, maxCallTimeout, &s.CallTimeout},
	} {
		if l.v == nil {
			continue
		}
		if *l.v < 0 || *l.v > l.max {
			return Settings{}, api.BadArg(l.name, fmt.Sprintf("0..%d seconds; 0 = no limit", l.max))
		}
		*l.to = time.Duration(*l.v) * time.Second
	}
	if a.AutoAnswer != nil {
		s.AutoAnswer = *a.AutoAnswer
	}
	if a.AutoHold != nil {
		s.AutoHold = *a.AutoHold
	}
	if a.DTMFAfterMS != nil {
		if *a.DTMFAfterMS < 0 || *a.DTMFAfterMS > 60000 {
			return Settings{}, api.BadArg("dtmfDelayMs", "0..60000")
		}
		s.DTMFDelay = time.Duration(*a.DTMFAfterMS) * time.Millisecond
	}
	if a.TransferIncoming != nil {
		switch v := *a.TransferIncoming; v {
		case api.TransferAccept, api.TransferAsk, api.TransferRefuse:
			s.TransferIncoming = v
		default:
			return Settings{}, api.BadArg("transferIncoming", "accept, ask or refuse")
		}
	}
	pol, err := applyPolicies(s.Policies, a) // policysettings.go
	if err != nil {
		return Settings{}, err
	}
	s.Policies = pol
	proc, err := applyProcessing(s.Processing, a) // processing.go
	if err != nil {
		return Settings{}, err
	}
	s.Processing = proc
	if s.Sound, err = applySound(s.Sound, a); err != nil { // soundsettings.go
		return Settings{}, err
	}
	if s.Voicemail, err = applyVoicemail(s.Voicemail, a); err != nil { // mwi.go
		return Settings{}, err
	}
	if s.Presence, err = applyPresence(s.Presence, a); err != nil { // presence.go
		return Settings{}, err
	}
	if a.IMDNDisplay != nil {
		s.IMDNDisplay = *a.IMDNDisplay
	}
	if a.IMDN != nil {
		s.IMDN = *a.IMDN
	}
	if a.SilenceSuppression != nil {
		switch v := *a.SilenceSuppression; v {
		case api.ProcessingAuto, api.ProcessingOn, api.ProcessingOff:
			s.SilenceSuppression = v
		default:
			return Settings{}, api.BadArg("silenceSuppression", "auto, on or off")
		}
	}
	if a.BLFPickup != nil {
		if s.BLFPickup, err = pickupCode(*a.BLFPickup); err != nil { // blfpickup.go
			return Settings{}, err
		}
	}
	return s, nil
}

// mergeSettings is the record old with the fields a sets changed. Every field of
// api.SettingsArgs is a pointer, nil when not set, so the merge takes each non-nil
// field of a: a field added to the API is saved without a line here.
func mergeSettings(old, a api.SettingsArgs) api.SettingsArgs {
	dst, src := reflect.ValueOf(&old).Elem(), reflect.ValueOf(a)
	for i := range src.NumField() {
		if f := src.Field(i); !f.IsNil() {
			dst.Field(i).Set(f)
		}
	}
	return old
}

// setSettings changes the settings a names. A change that cannot be saved is not
// made: what the engine acknowledges is what it finds at its next start.
func (p *Phone) setSettings(a *api.SettingsArgs) (api.Settings, error) {
	s, err := applySettings(p.settings, *a)
	if err != nil {
		return api.Settings{}, err
	}
	ringtone, err := p.openRingtone(s.Sound.Ringtone) // a missing file is refused, not saved
	if err != nil {
		return api.Settings{}, err
	}
	saved := mergeSettings(p.saved, *a)
	if p.cfg.SettingsStore != nil {
		if err := p.cfg.SettingsStore.SaveSettings(saved); err != nil {
			p.log.Warn("save settings", "err", err)
			return api.Settings{}, fmt.Errorf("%w: %w", ErrStorage, err)
		}
	}
	p.settings, p.saved, p.ringtone = s, saved, ringtone
	p.updatePump() // the tone plan, the ringtone, recordCalls
	p.bus.Emit(api.EvSettings, p.publicSettings())
	p.syncSubscriptions()
	return p.publicSettings(), nil
}
