package control

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
)

// ephemeralAttempts bounds the retries of port 0 when the port the kernel gave on
// 127.0.0.1 is already taken on ::1.
const ephemeralAttempts = 5

// listenLoopback binds 127.0.0.1 and ::1 on the first usable port among preferred
// and fallbacks. It never binds anything but loopback.
func listenLoopback(preferred int, fallbacks []int, log *slog.Logger) ([]net.Listener, int, error) {
	var errs []error
	for _, port := range append([]int{preferred}, fallbacks...) {
		attempts := 1
		if port == 0 {
			attempts = ephemeralAttempts
		}
		for range attempts {
			lns, bound, err := listenPort(port, log)
			if err == nil {
				return lns, bound, nil
			}
			log.Info("control port unavailable", "port", port, "err", err)
			errs = append(errs, err)
		}
	}
	return nil, 0, fmt.Errorf("%w: %w", ErrNoPort, errors.Join(errs...))
}

// listenPort binds 127.0.0.1:port, then ::1 on the same port. When the host has no
// IPv6 loopback it serves on 127.0.0.1 only; when ::1 has the port taken by someone
// else, the port is unusable.
func listenPort(port int, log *slog.Logger) ([]net.Listener, int, error) {
	v4, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, 0, err
	}
	bound := v4.Addr().(*net.TCPAddr).Port
	v6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(bound)))
	switch {
	case err == nil:
		return []net.Listener{v4, v6}, bound, nil
	case !haveIPv6Loopback():
		log.Info("no IPv6 loopback, serving on 127.0.0.1 only", "err", err)
		return []net.Listener{v4}, bound, nil
	default:
		_ = v4.Close()
		return nil, 0, err
	}
}

// haveIPv6Loopback reports whether ::1 can be bound at all.
func haveIPv6Loopback() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}
