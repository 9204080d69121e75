package netwatch

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// poll compares the machine's addresses every interval and signals raw when they
// differ from the last look. The returned stop waits for the poller to end.
func poll(ctx context.Context, raw chan<- struct{}, interval time.Duration) (stop func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		last := addresses()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if now := addresses(); now != last {
				last = now
				signal(raw)
			}
		}
	})
	return wg.Wait
}

// addresses is the machine's addresses with their interfaces, in one comparable
// string ("" when they cannot be listed).
func addresses() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	var all []string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			all = append(all, ifc.Name+" "+a.String())
		}
	}
	slices.Sort(all)
	return strings.Join(all, "\n")
}
