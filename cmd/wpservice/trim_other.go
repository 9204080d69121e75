//go:build !linux && !windows

package main

// trimExecutable does nothing on this platform.
func trimExecutable() (int64, error) { return 0, nil }
