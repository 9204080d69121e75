package testpeer

import (
	"net"
	"testing"
	"time"
)

// coturn answers a Binding Request with the address it came from.
func TestCoturnAnswersSTUN(t *testing.T) {
	t.Parallel()
	c := StartCoturn(t, CoturnOptions{})
	mapped, err := stunBinding(c.Addr, time.Second)
	if err != nil {
		t.Fatalf("Binding to coturn at %s: %v", c.Addr, err)
	}
	if host, _, _ := net.SplitHostPort(mapped); host != loopback {
		t.Errorf("coturn saw %s, want an address on %s", mapped, loopback)
	}
}
