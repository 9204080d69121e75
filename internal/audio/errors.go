package audio

import "errors"

// Sentinel errors. Callers match them with errors.Is; the functions that return them
// wrap them with the detail (file name, offending value) using %w.
var (
	// ErrUnknownCodec is returned by NewCodec for a name it does not implement.
	ErrUnknownCodec = errors.New("audio: unknown codec")

	// ErrNotWAV means the data does not start with a RIFF/WAVE header.
	ErrNotWAV = errors.New("audio: not a RIFF/WAVE file")
	// ErrUnsupportedWAV means a well-formed WAV whose format this package does not
	// read (compressed, not 16-bit, too many channels, absurd sample rate).
	ErrUnsupportedWAV = errors.New("audio: unsupported WAV format")
	// ErrMalformedWAV means a WAV whose chunk structure is broken (missing fmt or
	// data chunk, short fmt chunk, truncated header).
	ErrMalformedWAV = errors.New("audio: malformed WAV file")
	// ErrWAVTooLarge means a WAV whose sample data exceeds MaxWAVDataBytes, or a
	// recording that reached the 4 GiB limit of the RIFF size fields.
	ErrWAVTooLarge = errors.New("audio: WAV data too large")

	// ErrBadSampleRate is returned for a sample rate that is zero, negative or out of
	// the supported range.
	ErrBadSampleRate = errors.New("audio: bad sample rate")
	// ErrClosed is returned by a sink or source used after Close.
	ErrClosed = errors.New("audio: closed")
)
