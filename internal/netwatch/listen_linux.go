package netwatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// groups are the routing netlink groups that tell of an address or a route coming
// or going, in IPv4 and IPv6.
const groups = unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_IFADDR | unix.RTMGRP_IPV6_ROUTE

// listen subscribes to the kernel's address and route changes and signals raw on
// each message, until ctx ends. The returned stop waits for the reader to end.
func listen(ctx context.Context, raw chan<- struct{}) (stop func(), err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netwatch: netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netwatch: netlink bind: %w", err)
	}
	// A non-blocking descriptor goes to the runtime's poller, so Close wakes Read.
	f := os.NewFile(uintptr(fd), "netlink-route")
	var wg sync.WaitGroup
	wg.Go(func() {
		<-ctx.Done()
		f.Close()
	})
	wg.Go(func() { read(f, raw) })
	return wg.Wait, nil
}

// read signals raw for every message until f is closed. A full socket buffer
// (ENOBUFS) lost messages, which is a change all the same.
func read(f *os.File, raw chan<- struct{}) {
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		switch {
		case errors.Is(err, os.ErrClosed):
			return
		case errors.Is(err, unix.ENOBUFS), err == nil && n > 0:
			signal(raw)
		case err != nil:
			return
		}
	}
}
