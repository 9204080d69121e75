package sipstack

import (
	"net"
	"testing"
)

func TestLocalIP(t *testing.T) {
	tests := []struct {
		name, listenIP, server, want string
	}{
		{"an explicit address is kept", "192.0.2.7", "127.0.0.1", "192.0.2.7"},
		{"no account yet", "auto", "", "127.0.0.1"},
		{"the address that routes to the server", "auto", "127.0.0.1", "127.0.0.1"},
		{"server with a port", "auto", "127.0.0.1:5080", "127.0.0.1"},
		{"IPv6 server with a port", "auto", "[::1]:5080", "::1"},
		{"bare IPv6 server", "auto", "::1", "::1"},
		{"a name that cannot resolve", "auto", "not a host name", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "::1" && !hasIPv6Loopback() {
				t.Skip("no IPv6 loopback on this machine")
			}
			if got := LocalIP(tt.listenIP, tt.server); got != tt.want {
				t.Errorf("LocalIP(%q, %q) = %q, want %q", tt.listenIP, tt.server, got, tt.want)
			}
		})
	}
}

func hasIPv6Loopback() bool {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return false
	}
	c.Close()
	return true
}
