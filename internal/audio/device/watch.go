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

func watch(ctx context.Context, every time.Duration, list lister, onChange func(inputs, outputs []Device)) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	lastIn, lastOut, err := list()
	known := err == nil
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
