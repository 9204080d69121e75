//go:build cgo

package device

import (
	"fmt"

	"github.com/gen2brain/malgo"
)

// nullBackend is miniaudio's ma_backend_null: a device with no hardware behind it
// that still runs its callback in real time. malgo.BackendNull (13) is wrong: malgo's
// enumeration leaves out ma_backend_custom, so 13 is "custom" and 14 is "null".
const nullBackend = malgo.Backend(14)

// backendsByName maps each name of backendNames (names.go) to its miniaudio backend.
var backendsByName = map[string]malgo.Backend{
	"wasapi":     malgo.BackendWasapi,
	"dsound":     malgo.BackendDsound,
	"winmm":      malgo.BackendWinmm,
	"coreaudio":  malgo.BackendCoreaudio,
	"sndio":      malgo.BackendSndio,
	"audio4":     malgo.BackendAudio4,
	"oss":        malgo.BackendOss,
	"pulseaudio": malgo.BackendPulseaudio,
	"alsa":       malgo.BackendAlsa,
	"jack":       malgo.BackendJack,
	"aaudio":     malgo.BackendAaudio,
	"opensl":     malgo.BackendOpensl,
	"null":       nullBackend,
}

// initContext initialises a miniaudio context for exactly one backend. logProc may be
// nil. The caller must release it with freeContext.
func initContext(name string, logProc malgo.LogProc) (*malgo.AllocatedContext, error) {
	ctx, err := malgo.InitContext([]malgo.Backend{backendsByName[name]}, malgo.ContextConfig{}, logProc)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", name, err)
	}
	return ctx, nil
}

func freeContext(ctx *malgo.AllocatedContext) {
	_ = ctx.Uninit() // the only failure is a nil context
	ctx.Free()
}
