//go:build unix

package testpeer

import (
	"os/exec"
	"syscall"
	"time"
)

// isolate puts the peer in a process group of its own, led by its PID, so
// that helpers it forks (kamailio's workers) can be stopped with it.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// groupExitTimeout bounds how long killGroup waits for the group to empty.
const groupExitTimeout = 2 * time.Second

// killGroup kills whatever is left of the process group led by pid, such as
// a worker that was still being forked when its parent was told to stop,
// and waits until the group is empty.
func killGroup(pid int) {
	deadline := time.Now().Add(groupExitTimeout)
	for syscall.Kill(-pid, syscall.SIGKILL) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // members linger until init reaps them
	}
}
