package endpoint

import (
	"errors"
	"sync"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/audio/device"
	"github.com/wpservice/wpservice/internal/config"
)

func TestNullBackendDevicesAreListedAndSelectable(t *testing.T) {
	e := open(t, nullDevice())
	d := e.Devices()
	if d.Backend != "null" || len(d.Inputs) == 0 || len(d.Outputs) == 0 {
		t.Fatalf("devices = %+v, want the null backend's devices", d)
	}
	in, out := d.Inputs[0].ID, d.Outputs[0].ID
	d, err := e.Select(api.DeviceSelectArgs{Input: in, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if d.SelectedInput != in || d.SelectedOutput != out || d.SelectedRinger != "default" {
		t.Errorf("selection = %q %q %q, want %q %q default", d.SelectedInput, d.SelectedOutput, d.SelectedRinger, in, out)
	}
	if d, err = e.Select(api.DeviceSelectArgs{Ringer: out}); err != nil || d.SelectedRinger != out || d.SelectedInput != in {
		t.Errorf("Select(ringer) = %+v, %v; want the ringer chosen and the rest kept", d, err)
	}
}

func TestSelectRefusesUnlistedDevices(t *testing.T) {
	for _, args := range []api.DeviceSelectArgs{{Input: "deadbeef"}, {Output: "deadbeef"}, {Ringer: "deadbeef"}} {
		e := open(t, nullDevice())
		before := e.Devices()
		_, err := e.Select(args)
		if !errors.Is(err, ErrNoDevice) || !errors.Is(err, api.ErrNotFound) {
			t.Errorf("Select(%+v) = %v, want ErrNoDevice (not found)", args, err)
		}
		if after := e.Devices(); after.SelectedInput != before.SelectedInput || after.SelectedOutput != before.SelectedOutput || after.SelectedRinger != before.SelectedRinger {
			t.Errorf("Select(%+v) changed the selection to %+v", args, after)
		}
	}
}

// A device that cannot be opened leaves the previous choice in place, and the error
// says the device is unavailable.
func TestSelectKeepsTheChoiceWhenTheDeviceFailsToOpen(t *testing.T) {
	cfg := nullDevice()
	cfg.Backend = "no-such-backend" // lists nothing and opens nothing
	cfg.InputDevice = "usb-headset"
	e := open(t, cfg)
	_, err := e.Select(api.DeviceSelectArgs{Input: "default"})
	if !errors.Is(err, ErrDeviceUnavailable) || !errors.Is(err, api.ErrUnavailable) || !errors.Is(err, device.ErrUnknownBackend) {
		t.Fatalf("Select = %v, want ErrDeviceUnavailable wrapping the backend's error", err)
	}
	if d := e.Devices(); d.SelectedInput != "usb-headset" {
		t.Errorf("selected input %q after a failed open, want the previous usb-headset", d.SelectedInput)
	}
}

// The media clock reads and writes while the phone selects devices and the engine
// closes; run with -race.
func TestFramesFlowWhileDevicesChange(t *testing.T) {
	e := open(t, nullDevice())
	out := e.Devices().Outputs[0].ID
	if err := e.Use(true, true); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		pcm := make([]int16, audio.FrameSamples)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = e.Source().ReadFrame(pcm)
			_ = e.Sink().WriteFrame(pcm)
		}
	})
	for _, id := range []string{out, "default", out} {
		if _, err := e.Select(api.DeviceSelectArgs{Output: id}); err != nil {
			t.Error(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Error(err)
	}
	close(stop)
	wg.Wait()
}

func TestCloseWithoutDevice(t *testing.T) {
	e, err := Open(config.Audio{Backend: "auto", Input: "null", Output: "null"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}
