//go:build unix

package testpeer

import (
	"errors"
	"syscall"
	"testing"
)

// TestStopLeavesNoWorkers stops kamailio right after it is ready, while
// workers may still be forking, and checks that none of its process group
// survives.
func TestStopLeavesNoWorkers(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{})
	pid := k.proc.pid()
	k.proc.stop()
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d still has members after stop (signal 0: %v)", pid, err)
	}
}
