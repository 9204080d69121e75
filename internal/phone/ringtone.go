package phone

import "github.com/wpservice/wpservice/internal/audio"

// The ringtone setting names a WAV file of the sounds folder that the ringer plays,
// looping, instead of the built-in ring (ringer.go): settings.set refuses a file
// that is not there; at start, a file gone since is logged and the built-in ring
// used.

// openRingtone reads the ringtone name, or returns nil for "" (the built-in ring).
func (p *Phone) openRingtone(name string) (*audio.WAVSource, error) {
	if name == "" {
		return nil, nil
	}
	if p.ringtone != nil && name == p.settings.Sound.Ringtone {
		return p.ringtone, nil // unchanged: keep its place
	}
	return openSound(p.cfg.SoundsDir, "ringtone", name, true)
}

// loadRingtone reads the ringtone the settings name at start.
func (p *Phone) loadRingtone() {
	rt, err := p.openRingtone(p.settings.Sound.Ringtone)
	if err != nil {
		p.log.Warn("ringtone unavailable; the built-in ring plays", "err", err)
	}
	p.ringtone = rt
}
