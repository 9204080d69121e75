package phone

import (
	"context"
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// Handlers returns the engine's handler of every command internal/api declares that
// control does not answer itself. Control refuses to start if one is missing.
// Every one runs on the actor; call.hold answers once the peer has, call.dial once
// its INVITE is sent.
func (p *Phone) Handlers() []api.Handler {
	return append([]api.Handler{
		onActor(p, api.CmdStatus, func(*api.NoArgs) (api.Snapshot, error) { return p.snapshot(), nil }),
		onActor(p, api.CmdAccountGet, func(*api.NoArgs) (api.Account, error) { return p.publicAccount(), nil }),
		onActor(p, api.CmdAccountSet, p.setAccount),
		onActor(p, api.CmdAccountsList, p.listAccounts),
		onActor(p, api.CmdAccountAdd, p.addAccount),
		onActor(p, api.CmdAccountUpdate, p.updateAccount),
		onActor(p, api.CmdAccountRemove, p.removeAccount),
		onActor(p, api.CmdSettingsGet, func(*api.NoArgs) (api.Settings, error) { return p.publicSettings(), nil }),
		onActor(p, api.CmdSettingsSet, p.setSettings),
		onActor(p, api.CmdRegister, func(*api.NoArgs) (api.Empty, error) { return p.register() }),
		onActor(p, api.CmdUnregister, func(*api.NoArgs) (api.Empty, error) { return p.unregister() }),
		onActorLater(p, api.CmdCallDial, p.dial),
		onActor(p, api.CmdCallAnswer, p.answer),
		onActor(p, api.CmdCallReject, p.reject),
		onActor(p, api.CmdCallHangup, p.hangup),
		onActor(p, api.CmdCallDTMF, p.sendDTMF),
		onActor(p, api.CmdCallMute, p.mute),
		onActorLater(p, api.CmdCallHold, p.hold),
		onActor(p, api.CmdCallIgnore, p.ignore),
		onActorLater(p, api.CmdCallTransfer, p.transferCall),
		onActor(p, api.CmdCallReferral, p.answerReferral),
		onActor(p, api.CmdCallStats, p.callStats),
		onActor(p, api.CmdCallForward, p.forward),
		onActor(p, api.CmdLineSelect, p.lineSelect),
		onActor(p, api.CmdConferenceAdd, p.conferenceAdd),
		onActor(p, api.CmdConferenceRemove, p.conferenceRemove),
		onActorLater(p, api.CmdConferenceHold, p.conferenceHold(true)),
		onActorLater(p, api.CmdConferenceResume, p.conferenceHold(false)),
		onActor(p, api.CmdConferenceSplit, p.conferenceSplit),
		onActor(p, api.CmdDevicesList, func(*api.NoArgs) (api.Devices, error) { return p.devices(), nil }),
		onActor(p, api.CmdDevicesSelect, p.selectDevices),
		onActor(p, api.CmdDevicesVolume, p.setVolumes),
	}, append(append(append(p.historyHandlers(), p.chatHandlers()...), p.soundHandlers()...), p.contactsHandlers()...)...)
}

// onActor binds f to cmd so that it runs on the actor, like every change of the
// engine's state, and answers with what f returns.
func onActor[A, R any](p *Phone, cmd api.Command[A, R], f func(*A) (R, error)) api.Handler {
	return onActorLater(p, cmd, func(a *A, done answer) { done(f(a)) })
}

// onActorLater binds f to cmd so that it starts on the actor and answers through done,
// at once or later (call.hold answers once the peer has). Once the engine stops, the
// command fails with ErrStopped.
func onActorLater[A, R any](p *Phone, cmd api.Command[A, R], f func(a *A, done answer)) api.Handler {
	return api.Handle(cmd, func(ctx context.Context, a *A) (R, error) {
		v, err := p.request(ctx, func(done answer) {
			if p.stopping {
				done(nil, ErrStopped)
				return
			}
			f(a, done)
		})
		var zero R
		if err != nil {
			return zero, err
		}
		if v == nil {
			return zero, nil
		}
		r, ok := v.(R)
		if !ok {
			return zero, fmt.Errorf("phone: %s answered %T, not %T", cmd.Name, v, zero)
		}
		return r, nil
	})
}
