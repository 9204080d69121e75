package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// belowUs puts the command one real-time priority below this program, when this
// program runs under real-time scheduling (scripts/bench-startup.sh as root). At the
// same priority, SCHED_FIFO threads do not preempt each other: while the command kept
// both CPUs busy with the rest of its start-up, the answer it had already sent would
// wait in this program's socket, and the time taken would be the command's whole
// start-up instead of the time to its first answer. A peer on the network would not
// wait for it. A thread's priority is its own and a new thread inherits its creator's,
// so every thread the command has is set, again until no new one appears; this runs
// right after the exec, when there is usually only the first.
func belowUs(pid int) {
	policy, err := unix.SchedGetAttr(0, 0)
	if err != nil || policy.Policy != unix.SCHED_FIFO || policy.Priority < 2 {
		return
	}
	child := *policy
	child.Priority--
	done := map[int]bool{}
	for {
		tids, err := threads(pid)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sipready: the command's threads:", err)
			return
		}
		fresh := 0
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			fresh++
			done[tid] = true
			if err := unix.SchedSetAttr(tid, &child, 0); err != nil && err != unix.ESRCH {
				fmt.Fprintln(os.Stderr, "sipready: real-time priority of the command:", err)
				return
			}
		}
		if fresh == 0 {
			return
		}
	}
}

// threads lists the thread ids of process pid.
func threads(pid int) ([]int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil, err
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
