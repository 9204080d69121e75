package device

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// backendNames are the names accepted in Config.Backend, List and Watch, besides
// "auto" (or ""): miniaudio's backends (backend.go maps each to its own).
var backendNames = []string{
	"wasapi", "dsound", "winmm", "coreaudio", "sndio", "audio4", "oss",
	"pulseaudio", "alsa", "jack", "aaudio", "opensl", "null",
}

// candidateBackends returns, in order of preference, the backends to try for the
// name given by the user. "auto" means the platform's real sound systems; it never
// falls back to "null" on its own, because silently running a phone with no audio is
// worse than an error the caller can act on (and retry with "null" if it wants to).
func candidateBackends(name string) ([]string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name != "" && name != "auto" {
		if !slices.Contains(backendNames, name) {
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
