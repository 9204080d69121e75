package netwatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// listen reads the kernel's routing socket and signals raw on each message that
// tells of an address, an interface or a route (not a neighbour's link-layer
// entry, which the kernel adds and removes as hosts are talked to), until ctx
// ends. The returned stop waits for the reader to end.
func listen(ctx context.Context, raw chan<- struct{}) (stop func(), err error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("netwatch: routing socket: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netwatch: routing socket: %w", err)
	}
	// A non-blocking descriptor goes to the runtime's poller, so Close wakes Read.
	f := os.NewFile(uintptr(fd), "route")
	var wg sync.WaitGroup
	wg.Go(func() {
		<-ctx.Done()
		f.Close()
	})
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			switch {
			case errors.Is(err, os.ErrClosed):
				return
			case errors.Is(err, unix.ENOBUFS):
				signal(raw) // lost messages are a change all the same
			case err != nil:
				return
			case tellsOfChange(buf[:n]):
				signal(raw)
			}
		}
	})
	return wg.Wait, nil
}
