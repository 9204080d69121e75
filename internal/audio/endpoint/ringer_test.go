package endpoint

import (
	"errors"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio/device"
)

// A ringer whose stream cannot be opened (a headset unplugged between listing and
// ringing) rings in the speaker instead, and is not tried again on the next ring; a
// ringer chosen again is tried again.
func TestUnopenableRingerRingsInTheSpeaker(t *testing.T) {
	e := open(t, nullDevice())
	outs := e.Devices().Outputs
	if len(outs) == 0 {
		t.Fatal("the null backend lists no output")
	}
	tries := 0
	e.openStream = func(device.Config) (*device.Duplex, error) {
		tries++
		return nil, errors.New("unplugged")
	}
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: outs[0].ID}); err != nil {
		t.Fatal(err)
	}
	r := e.Ringer()
	if r == nil {
		t.Fatalf("the ringer %q is not the speaker's device, yet Ringer is nil", outs[0].ID)
	}
	_ = r.WriteFrame(frame(0)) // the ring starts: the stream is opened
	e.ring.opens.Wait()
	if tries != 1 {
		t.Fatalf("%d tries to open the ringer's stream, want 1", tries)
	}
	if e.Ringer() != nil {
		t.Error("the ringer's stream failed to open, yet the ring does not go to the speaker")
	}
	e.restRinger() // the ring stopped a while
	if e.Ringer() != nil {
		t.Error("the next ring tries the failed ringer again, want the speaker")
	}
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: "default"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Select(api.DeviceSelectArgs{Ringer: outs[0].ID}); err != nil {
		t.Fatal(err)
	}
	if e.Ringer() == nil {
		t.Error("the ringer chosen again is not tried again")
	}
}
