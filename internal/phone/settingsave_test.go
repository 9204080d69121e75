package phone

import (
	"errors"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// settingsRecord keeps what SaveSettings was given, or refuses it when full.
type settingsRecord struct {
	saved []api.SettingsArgs
	full  bool
}

func (s *settingsRecord) SaveSettings(a api.SettingsArgs) error {
	if s.full {
		return errors.New("write settings.json: no space left on device")
	}
	s.saved = append(s.saved, a)
	return nil
}

// Each settings.set saves every field ever changed, with its last value, and a
// new engine started on that record has the saved values over its config's.
func TestSettingsChangesAreSavedAndApplied(t *testing.T) {
	rec := &settingsRecord{}
	r := newRig(t, func(c *Config) { c.SettingsStore = rec })
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{RTPTimeout: ptr(7)})
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{AutoHold: ptr(false), DTMFAfterMS: ptr(250)})
	if len(rec.saved) != 2 {
		t.Fatalf("%d saves, want 2", len(rec.saved))
	}
	last := rec.saved[1]
	if last.RTPTimeout == nil || *last.RTPTimeout != 7 || last.AutoHold == nil || *last.AutoHold ||
		last.DTMFAfterMS == nil || *last.DTMFAfterMS != 250 || last.AutoAnswer != nil {
		t.Fatalf("saved %s, want rtpTimeout 7, autoHold false, dtmfDelayMs 250 and nothing else", toJSON(t, last))
	}

	again := newRig(t, func(c *Config) {
		c.Settings = Settings{RTPTimeout: 30 * time.Second, AutoHold: true, AutoAnswer: true, DTMFDelay: time.Second}
		c.SavedSettings = last
	})
	s := again.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings)
	if s.RTPTimeout != 7 || s.AutoHold || s.DTMFAfterMS != 250 || !s.AutoAnswer {
		t.Fatalf("settings after a restart %+v, want the saved ones over the config's (autoAnswer kept)", s)
	}
}

// A settings change that cannot be saved is refused and not made; a saved record
// out of range is ignored at start.
func TestSettingsThatCannotBeSavedAreNotKept(t *testing.T) {
	r := newRig(t, func(c *Config) { c.SettingsStore = &settingsRecord{full: true} })
	before := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings)
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{RTPTimeout: ptr(7)}); !errors.Is(err, ErrStorage) {
		t.Fatalf("settings.set with a full disk: %v, want ErrStorage", err)
	}
	if s := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s != before {
		t.Fatalf("the unsaved change was made: %+v, was %+v", s, before)
	}

	bad := newRig(t, func(c *Config) { c.SavedSettings = api.SettingsArgs{RTPTimeout: ptr(-5)} })
	if s := bad.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.RTPTimeout < 0 {
		t.Fatalf("a saved rtpTimeout out of range was applied: %+v", s)
	}
}
