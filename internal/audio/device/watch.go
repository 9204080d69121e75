package device

import (
	"context"
	"slices"
	"time"
)

// Watch polls the device list of backend every interval and calls onChange with the
// new lists whenever they differ from the previous poll (a headset plugged in or
// out, the default device changed). It blocks until ctx is done; run it on its own
// goroutine. The first poll only sets the baseline (call List for the initial state);
// if it fails, the first later poll that succeeds is reported. A poll that fails is
// skipped rather than reported as "no devices", so a backend hiccup does not look
// like an unplug.
//
// Polling is deliberate: miniaudio has no portable device-change notification (each
// OS has its own: IMMNotificationClient on Windows, CoreAudio property listeners on
// macOS, udev or PulseAudio subscriptions on Linux), and a poll every second or two
// costs little next to a call.
func Watch(ctx context.Context, backend string, every time.Duration, onChange func(inputs, outputs []Device)) {
	watch(ctx, every, func() ([]Device, []Device, error) { return List(backend) }, onChange)
}

// lister is the seam Watch polls through; tests give it a scripted fake.
type lister func() (inputs, outputs []Device, err error)

// WatchFrom is Watch with the baseline given: the lists the caller already knows
// (nil for none), so that a change made before the first poll (a headset unplugged
// as the device that uses it opened) is reported at that poll.
func WatchFrom(ctx context.Context, backend string, every time.Duration, inputs, outputs []Device, onChange func(inputs, outputs []Device)) {
	list := func() ([]Device, []Device, error) { return List(backend) }
	watchFrom(ctx, every, list, inputs, outputs, inputs != nil || outputs != nil, onChange)
}

func watch(ctx context.Context, every time.Duration, list lister, onChange func(inputs, outputs []Device)) {
	lastIn, lastOut, err := list()
	watchFrom(ctx, every, list, lastIn, lastOut, err == nil, onChange)
}

// watchFrom polls from the baseline lastIn, lastOut (known: whether there is one).
func watchFrom(ctx context.Context, every time.Duration, list lister, lastIn, lastOut []Device, known bool, onChange func(inputs, outputs []Device)) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		inputs, outputs, err := list()
		if err != nil {
			continue
		}
		if known && slices.Equal(inputs, lastIn) && slices.Equal(outputs, lastOut) {
			continue
		}
		onChange(inputs, outputs)
		lastIn, lastOut, known = inputs, outputs, true
	}
}
