package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// Device volumes are percentages with the Mizu meaning: 0 is silent, 50 leaves the
// audio as it is and 100 doubles its amplitude (+6 dB), clipping what would exceed
// full scale. The gain is volume/50.
const (
	unityVolume = 50
	maxVolume   = 100
)

// volumes are the three device volumes in percent. The actor owns them and hands a
// copy to the media clock in every mixPlan.
type volumes struct {
	input, output, ringer int
}

// unityVolumes leave every direction as it is.
var unityVolumes = volumes{input: unityVolume, output: unityVolume, ringer: unityVolume}

// gain turns a volume in percent into a linear gain.
func gain(volume int) float64 {
	return float64(volume) / unityVolume
}

// setVolumes runs devices.volume: it checks every given volume before changing any.
func (p *Phone) setVolumes(a *api.VolumeArgs) (api.Devices, error) {
	fields := []struct {
		name string
		arg  *int
		vol  *int
	}{
		{"input", a.Input, &p.volumes.input},
		{"output", a.Output, &p.volumes.output},
		{"ringer", a.Ringer, &p.volumes.ringer},
	}
	for _, f := range fields {
		if f.arg != nil && (*f.arg < 0 || *f.arg > maxVolume) {
			return api.Devices{}, api.BadArg(f.name, fmt.Sprintf("a volume in percent, 0..%d (50 = unchanged)", maxVolume))
		}
	}
	for _, f := range fields {
		if f.arg != nil {
			*f.vol = *f.arg
		}
	}
	p.updatePump()
	d := p.devices()
	p.bus.Emit(api.EvDevicesChanged, d)
	return d, nil
}

// devices is the device list and choice with the volumes.
func (p *Phone) devices() api.Devices {
	d := p.cfg.Audio.Devices()
	d.InputVolume = p.volumes.input
	d.OutputVolume = p.volumes.output
	d.RingerVolume = p.volumes.ringer
	return d
}
