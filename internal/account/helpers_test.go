package account

import (
	"reflect"
	"testing"
)

// assertNoZeroField fails for each field of the struct v left at its zero value: a
// conversion that forgets a field shows up here.
func assertNoZeroField(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if rv.Field(i).IsZero() {
			t.Errorf("%s.%s is empty", rv.Type().Name(), rv.Type().Field(i).Name)
		}
	}
}

func ptr[T any](v T) *T { return &v }
