package phone

import (
	"reflect"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The record of what settings.set changed keeps every field of SettingsArgs: a field
// added to the API but forgotten in mergeSettings (or mergePolicies) would be
// acknowledged and then lost at the next start.
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
