package netwatch

import (
	"context"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows calls back on a thread of its own when an interface, a unicast address
// or a route changes (the IP Helper notifications). The callbacks are made once:
// Windows limits how many a process may create.
var (
	notifyMu  sync.Mutex
	notifyTo  = map[chan<- struct{}]struct{}{} // the raw channels of the running watchers
	notifyCBs = sync.OnceValue(func() uintptr {
		return windows.NewCallback(func(callerContext, row uintptr, kind uint32) uintptr {
			notifyMu.Lock()
			for raw := range notifyTo {
				signal(raw)
			}
			notifyMu.Unlock()
			return 0
		})
	})
)

// listen registers for interface, address and route changes and signals raw on
// each, until ctx ends. The returned stop waits until the notifications are
// cancelled.
func listen(ctx context.Context, raw chan<- struct{}) (stop func(), err error) {
	cb := notifyCBs()
	notifyMu.Lock()
	notifyTo[raw] = struct{}{}
	notifyMu.Unlock()
	var handles []windows.Handle
	cancel := func() {
		for _, h := range handles {
			windows.CancelMibChangeNotify2(h)
		}
		notifyMu.Lock()
		delete(notifyTo, raw)
		notifyMu.Unlock()
	}
	registers := []struct {
		name string
		fn   func(family uint16, callback uintptr, callerContext unsafe.Pointer, initial bool, handle *windows.Handle) error
	}{
		{"NotifyIpInterfaceChange", windows.NotifyIpInterfaceChange},
		{"NotifyUnicastIpAddressChange", windows.NotifyUnicastIpAddressChange},
		{"NotifyRouteChange2", windows.NotifyRouteChange2},
	}
	for _, r := range registers {
		var h windows.Handle
		if err := r.fn(windows.AF_UNSPEC, cb, nil, false, &h); err != nil {
			cancel()
			return nil, fmt.Errorf("netwatch: %s: %w", r.name, err)
		}
		handles = append(handles, h)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		<-ctx.Done()
		cancel()
	})
	return wg.Wait, nil
}
