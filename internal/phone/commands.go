package phone

import (
	"context"

	"github.com/wpservice/wpservice/internal/api"
)

// Handlers returns the engine's handler of every command internal/api declares that
// control does not answer itself. Control refuses to start if one is missing.
// Most run on the actor; call.hold waits for the peer off it.
func (p *Phone) Handlers() []api.Handler {
	return []api.Handler{
		onActor(p, api.CmdStatus, func(*api.NoArgs) (api.Snapshot, error) { return p.snapshot(), nil }),
		onActor(p, api.CmdAccountGet, func(*api.NoArgs) (api.Account, error) { return p.publicAccount(), nil }),
		onActor(p, api.CmdAccountSet, p.setAccount),
		onActor(p, api.CmdSettingsGet, func(*api.NoArgs) (api.Settings, error) { return p.publicSettings(), nil }),
		onActor(p, api.CmdSettingsSet, p.setSettings),
		onActor(p, api.CmdRegister, func(*api.NoArgs) (api.Empty, error) { return p.register() }),
		onActor(p, api.CmdUnregister, func(*api.NoArgs) (api.Empty, error) { return p.unregister() }),
		onActor(p, api.CmdCallDial, p.dial),
		onActor(p, api.CmdCallAnswer, func(a *api.CallRef) (api.Empty, error) { return p.userInput(*a, inAnswer) }),
		onActor(p, api.CmdCallReject, p.reject),
		onActor(p, api.CmdCallHangup, p.hangup),
		onActor(p, api.CmdCallDTMF, p.sendDTMF),
		onActor(p, api.CmdCallMute, p.mute),
		api.Handle(api.CmdCallHold, p.hold),
		onActor(p, api.CmdCallIgnore, p.ignore),
		onActor(p, api.CmdLineSelect, p.lineSelect),
		onActor(p, api.CmdDevicesList, func(*api.NoArgs) (api.Devices, error) { return p.devices(), nil }),
		onActor(p, api.CmdDevicesSelect, p.selectDevices),
		onActor(p, api.CmdDevicesVolume, p.setVolumes),
	}
}

// onActor binds f to cmd so that it runs on the actor, like every change of the
// engine's state; once the engine stops, the command fails with ErrStopped.
func onActor[A, R any](p *Phone, cmd api.Command[A, R], f func(*A) (R, error)) api.Handler {
	return api.Handle(cmd, func(ctx context.Context, a *A) (R, error) {
		v, err := p.call(ctx, func() (any, error) {
			if p.stopping {
				return nil, ErrStopped
			}
			return f(a)
		})
		if err != nil {
			var zero R
			return zero, err
		}
		return v.(R), nil
	})
}
