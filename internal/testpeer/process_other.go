//go:build !unix

package testpeer

import "os/exec"

// isolate does nothing where there are no process groups.
func isolate(*exec.Cmd) {}

// killGroup does nothing where there are no process groups.
func killGroup(int) {}
