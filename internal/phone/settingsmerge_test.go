package phone

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The record of what settings.set changed keeps every field of SettingsArgs: a field
// the merge dropped would be acknowledged and then lost at the next start.
func TestMergeSettingsKeepsEveryField(t *testing.T) {
	var all api.SettingsArgs
	v := reflect.ValueOf(&all).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer {
			t.Fatalf("SettingsArgs.%s is not a pointer: an omitted field could not be told from a zero one", v.Type().Field(i).Name)
		}
		f.Set(reflect.New(f.Type().Elem()))
	}
	got := reflect.ValueOf(mergeSettings(api.SettingsArgs{}, all))
	for i := range v.NumField() {
		if got.Field(i).IsNil() {
			t.Errorf("mergeSettings drops SettingsArgs.%s", v.Type().Field(i).Name)
		}
	}
}

// A field a change leaves out keeps its recorded value.
func TestMergeSettingsKeepsWhatTheChangeOmits(t *testing.T) {
	ten, off := 10, false
	old := api.SettingsArgs{RTPTimeout: &ten, DND: &off}
	on := true
	got := mergeSettings(old, api.SettingsArgs{DND: &on})
	if got.RTPTimeout == nil || *got.RTPTimeout != 10 {
		t.Errorf("rtpTimeout %v, want the recorded 10 kept", got.RTPTimeout)
	}
	if got.DND == nil || !*got.DND {
		t.Errorf("dnd %v, want the change's true", got.DND)
	}
}

// The config files' settings apply at start under the saved ones; a value out of
// range in a file stops the engine with the field named.
func TestFileSettingsApplyUnderTheSavedOnes(t *testing.T) {
	on, off, thirty := true, false, 30
	r := newRig(t, func(c *Config) {
		c.FileSettings = api.SettingsArgs{DND: &on, RingTimeoutOut: &thirty}
		c.SavedSettings = api.SettingsArgs{DND: &off}
	})
	s := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings)
	if s.DND || s.RingTimeoutOut != 30 {
		t.Errorf("dnd %v, ringTimeoutOut %d; want the saved false and the file's 30", s.DND, s.RingTimeoutOut)
	}

	bad := -1
	_, err := New(Config{SIP: &fakeSIP{}, Audio: &fakeAudio{}, Media: func(string) (Stream, error) { return nil, nil },
		FileSettings: api.SettingsArgs{CallTimeout: &bad}})
	if err == nil || !strings.Contains(err.Error(), "callTimeout") {
		t.Errorf("New with callTimeout -1 in the file: %v, want an error naming callTimeout", err)
	}
}
