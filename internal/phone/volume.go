package phone

import (
	"fmt"
	"sync/atomic"

	"github.com/wpservice/wpservice/internal/api"
)

// Device volumes are percentages with the Mizu meaning: 0 is silent, 50 leaves the
// audio as it is and 100 doubles its amplitude (+6 dB), clipping what would exceed
// full scale. The gain is volume/50.
const (
	unityVolume = 50
	maxVolume   = 100
)

// volumes are the three device volumes in percent. The actor sets them; the pump
// reads them on every frame, so they are atomics.
type volumes struct {
	input, output, ringer atomic.Int32
}

func newVolumes() *volumes {
	v := &volumes{}
	v.input.Store(unityVolume)
	v.output.Store(unityVolume)
	v.ringer.Store(unityVolume)
	return v
}

// gain turns a volume in percent into a linear gain.
func gain(volume *atomic.Int32) float64 {
	return float64(volume.Load()) / unityVolume
}

// setVolumes runs devices.volume: it checks every given volume before changing any.
func (p *Phone) setVolumes(a *api.VolumeArgs) (api.Devices, error) {
	fields := []struct {
		name string
		arg  *int
		vol  *atomic.Int32
	}{
		{"input", a.Input, &p.pump.vol.input},
		{"output", a.Output, &p.pump.vol.output},
		{"ringer", a.Ringer, &p.pump.vol.ringer},
	}
	for _, f := range fields {
		if f.arg != nil && (*f.arg < 0 || *f.arg > maxVolume) {
			return api.Devices{}, api.BadArg(f.name, fmt.Sprintf("a volume in percent, 0..%d (50 = unchanged)", maxVolume))
		}
	}
	for _, f := range fields {
		if f.arg != nil {
			f.vol.Store(int32(*f.arg))
		}
	}
	d := p.devices()
	p.bus.Emit(api.EvDevicesChanged, d)
	return d, nil
}

// devices is the device list and choice with the volumes.
func (p *Phone) devices() api.Devices {
	d := p.cfg.Audio.Devices()
	v := p.pump.vol
	d.InputVolume = int(v.input.Load())
	d.OutputVolume = int(v.output.Load())
	d.RingerVolume = int(v.ringer.Load())
	return d
}
