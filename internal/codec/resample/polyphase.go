//go:build !cgo

package resample

import "github.com/wpservice/wpservice/internal/audio"

// Builtin names the resampler New returns.
const Builtin = "polyphase"

func newNative(in, out int) audio.Resampler { return audio.NewPolyphase(in, out) }
