package netwatch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// The watcher hears the kernel: an address of the machine replaced (a desk moving
// to another network) is reported, well within the 5 s the engine has to follow it.
func TestWatcherReportsAnAddressChange(t *testing.T) {
	ns := testpeer.StartNamespace(t, "watch")
	w := New(nil)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	// The netlink socket subscribes before Run reads; a change made before that
	// would be lost, so wait until the watcher is listening.
	<-w.listening

	ns.MoveLocalIP(t)
	select {
	case <-w.Changes():
	case <-time.After(3 * time.Second):
		t.Fatal("no change reported 3 s after the address moved")
	}
}
