//go:build cgo

package device

import (
	"maps"
	"slices"
	"testing"
)

// TestEveryBackendNameHasABackend keeps the cgo-free list of names (names.go) and
// the map to miniaudio's backends in step.
func TestEveryBackendNameHasABackend(t *testing.T) {
	got := slices.Sorted(maps.Keys(backendsByName))
	if want := slices.Sorted(slices.Values(backendNames)); !slices.Equal(got, want) {
		t.Errorf("backendsByName has %v, backendNames %v", got, want)
	}
}
