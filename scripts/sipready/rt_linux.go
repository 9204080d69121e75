package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// belowUs puts the command one real-time priority below this program, when this
// program runs under real-time scheduling (scripts/bench-startup.sh as root). At the
// same priority, SCHED_FIFO threads do not preempt each other: while the command kept
// both CPUs busy with the rest of its start-up, the answer it had already sent would
// wait in this program's socket, and the time taken would be the command's whole
// start-up instead of the time to its first answer. A peer on the network would not
// wait for it. This runs as soon as the exec has happened, milliseconds before the
// command's runtime starts a thread, and every thread it starts inherits the priority.
func belowUs(pid int) {
	policy, err := unix.SchedGetAttr(0, 0)
	if err != nil || policy.Policy != unix.SCHED_FIFO || policy.Priority < 2 {
		return
	}
	child := *policy
	child.Priority--
	if err := unix.SchedSetAttr(pid, &child, 0); err != nil {
		fmt.Fprintln(os.Stderr, "sipready: real-time priority of the command:", err)
	}
}
