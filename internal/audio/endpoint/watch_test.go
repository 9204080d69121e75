package endpoint

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio/device"
	"github.com/wpservice/wpservice/internal/config"
)

// scriptedWatch stands in for device.Watch: it reports each listing in turn.
func scriptedWatch(t *testing.T, listings ...[2][]device.Device) watchFunc {
	return func(ctx context.Context, backend string, every time.Duration, onChange func(inputs, outputs []device.Device)) {
		if backend != "null" || every != WatchInterval {
			t.Errorf("watching backend %q every %v, want null every %v", backend, every, WatchInterval)
		}
		for _, l := range listings {
			onChange(l[0], l[1])
		}
	}
}

func TestWatchFollowsHotPlug(t *testing.T) {
	e := open(t, nullDevice())
	base := [2][]device.Device{e.inputs, e.outputs}
	headset := device.Device{ID: "0a0b", Name: "USB headset"}
	plugged := [2][]device.Device{append(slices.Clone(e.inputs), headset), append(slices.Clone(e.outputs), headset)}

	e.watch = scriptedWatch(t, base, plugged, plugged, base)
	var seen []api.Devices
	e.Watch(t.Context(), func() { seen = append(seen, e.Devices()) })

	// The first listing is what Open found, and the third repeats the second: no news.
	if len(seen) != 2 {
		t.Fatalf("changed called %d times, want 2 (plugged, unplugged)", len(seen))
	}
	if got := seen[0].Inputs; len(got) != len(base[0])+1 || got[len(got)-1].ID != headset.ID {
		t.Errorf("after plugging in, inputs = %+v, want the headset added", got)
	}
	if got := seen[1].Outputs; len(got) != len(base[1]) {
		t.Errorf("after unplugging, outputs = %+v, want the headset gone", got)
	}
	// A plugged headset can be chosen.
	e.watch = scriptedWatch(t, plugged)
	e.Watch(t.Context(), func() {})
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: headset.ID}); err != nil {
		t.Errorf("Select the plugged headset as ringer: %v", err)
	}
}

func TestWatchIdlesWithoutSoundDevice(t *testing.T) {
	e := open(t, config.Audio{Backend: "null", Input: "null", Output: "null"})
	e.watch = func(context.Context, string, time.Duration, func(inputs, outputs []device.Device)) {
		t.Error("Watch polls the devices of an endpoint that uses none")
	}
	e.Watch(t.Context(), func() {})
}

// Watch returns when its context ends, on the real device.Watch.
func TestWatchStopsWithItsContext(t *testing.T) {
	e := open(t, nullDevice())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Watch(ctx, func() {})
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}

// A change made while nobody watched (the lists are stale) is reported as Watch
// starts, before its first poll.
func TestWatchReportsWhatChangedWhileUnwatched(t *testing.T) {
	e := open(t, nullDevice())
	fresh := e.Devices()
	e.setLists(nil, nil) // a headset unplugged while the engine did not poll
	e.watch = scriptedWatch(t)
	calls := 0
	e.Watch(t.Context(), func() { calls++ })
	if calls != 1 {
		t.Fatalf("changed called %d times as Watch started on stale lists, want 1", calls)
	}
	if got := e.Devices(); len(got.Inputs) != len(fresh.Inputs) || len(got.Outputs) != len(fresh.Outputs) {
		t.Errorf("devices after Watch started = %+v, want %+v", got, fresh)
	}
}
