// Package device connects the engine's PCM plane to the computer's sound devices
// through miniaudio (github.com/gen2brain/malgo). It is the only package that uses
// cgo for audio: everything above it sees an audio.Source (the microphone) and an
// audio.Sink (the speaker) at 8 kHz mono, 20 ms frames, whatever the hardware does.
//
// The OS calls back into Go on its own real-time thread; that callback only copies
// between the device buffers and two preallocated audio.Rings. It never allocates,
// logs, locks or blocks, so a slow engine shows up as counted overruns and underruns,
// never as a glitch in the sound system.
package device

import "log/slog"

// Device is one capture or playback device as a backend lists it.
type Device struct {
	// ID identifies the device within its backend: the hexadecimal form of
	// miniaudio's device ID, stable across runs for the same hardware.
	ID string
	// Name is the human-readable name the OS gives the device.
	Name string
	// Default reports whether the OS currently uses it as the default device.
	Default bool
}

// Config selects what Open opens.
type Config struct {
	// Backend is "auto" (or "") for the platform's sound system, "null" for a device
	// with no hardware behind it (tests, headless hosts), or a miniaudio backend name
	// ("alsa", "pulseaudio", "wasapi", "coreaudio", ...).
	Backend string
	// Input and Output are device IDs from List, or "" / "default" for the OS
	// default device.
	Input, Output string
	// Sides is what to open: the input (Capture), the output (Playback) or both.
	// Zero means both.
	Sides Sides
	// Logger receives open/close and backend messages; nil discards them.
	Logger *slog.Logger
}

// Stats counts what the device callback and the engine have done. Frames are mono
// samples at audio.SampleRate.
type Stats struct {
	FramesCaptured uint64 // frames the device delivered, counted at the engine's rate
	FramesPlayed   uint64 // frames the device played, silence included, at the engine's rate

	// CaptureOverruns counts callbacks whose captured audio did not fit the capture
	// ring: the engine is not calling ReadFrame often enough.
	CaptureOverruns uint64
	// CaptureUnderruns counts ReadFrame calls padded with silence: the engine reads
	// faster than the device captures.
	CaptureUnderruns uint64
	// PlaybackOverruns counts WriteFrame calls that dropped audio: the engine writes
	// faster than the device plays.
	PlaybackOverruns uint64
	// PlaybackUnderruns counts callbacks that found too little audio and played
	// silence for the rest.
	PlaybackUnderruns uint64
}

// Sides are the directions of a sound device: what Open opens.
type Sides uint8

const (
	Capture  Sides = 1 << iota // the input: the microphone
	Playback                   // the output: the speaker
	Both     = Capture | Playback
)

// CheckBackend reports whether name is a backend Open accepts ("auto", "" or a
// backend name), without opening anything. The error wraps ErrUnknownBackend.
func CheckBackend(name string) error {
	_, err := candidateBackends(name)
	return err
}

func isDefault(id string) bool { return id == "" || id == "default" }
