// Package endpoint is the engine's local audio: the microphone it reads and the
// speaker it writes, as the configuration's audio settings choose them. Each side is a
// sound device (through audio/device), silence or a WAV file; the device choice
// follows devices.select, and the device list follows hot-plug through device.Watch.
//
// An Endpoint implements the phone's AudioIO and RingerOutput ports; the ringer is a
// playback stream of its own while it is not the speaker's device (ringer.go). Its Source and
// Sink stay valid for the whole run: a device reopened on another choice, or no device
// at all, changes what is behind them, not them. The sound device is open only while
// the phone says through Use that it needs it.
package endpoint
