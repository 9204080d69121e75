package device

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gen2brain/malgo"
)

// nullBackend is miniaudio's ma_backend_null: a device with no hardware behind it
// that still runs its callback in real time. malgo.BackendNull (13) is wrong: malgo's
// enumeration leaves out ma_backend_custom, so 13 is "custom" and 14 is "null".
const nullBackend = malgo.Backend(14)

// Backend names accepted in Config.Backend, List and Watch, besides "auto" (or "").
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

// candidateBackends returns, in order of preference, the backends to try for the
// name given by the user. "auto" means the platform's real sound systems; it never
// falls back to "null" on its own, because silently running a phone with no audio is
// worse than an error the caller can act on (and retry with "null" if it wants to).
func candidateBackends(name string) ([]string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name != "" && name != "auto" {
		if _, ok := backendsByName[name]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownBackend, name)
		}
		return []string{name}, nil
	}
	switch runtime.GOOS {
	case "windows":
		return []string{"wasapi", "dsound", "winmm"}, nil
	case "darwin", "ios":
		return []string{"coreaudio"}, nil
	case "android":
		return []string{"aaudio", "opensl"}, nil
	case "freebsd", "openbsd", "netbsd", "dragonfly":
		return []string{"sndio", "audio4", "oss"}, nil
	default: // linux and other unixes
		return []string{"pulseaudio", "alsa", "jack", "oss"}, nil
	}
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
