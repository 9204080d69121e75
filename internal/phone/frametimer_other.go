//go:build !linux

package phone

// newOSFrameTimer returns Go's ticker: elsewhere than on Linux the engine has no
// timer of the operating system's to read through Go's poller.
func newOSFrameTimer() frameTimer { return newTickerTimer() }
