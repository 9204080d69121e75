package testpeer

import (
	"net"
	"testing"
	"time"
)

// coturn on the provider's side of a NAT sees a Binding Request from the
// desk come from the router's public address: what a desk learns from it.
func TestCoturnBehindNATSeesThePublicAddress(t *testing.T) {
	t.Parallel()
	nat := StartNAT(t, natTestTimeout)
	c := StartCoturn(t, CoturnOptions{Host: nat.Provider.Host()})
	var mapped string
	var err error
	inNamespace(t, nat.Desk, func() { mapped, err = stunBinding(c.Addr, time.Second) })
	if err != nil {
		t.Fatalf("Binding from the desk to coturn at %s: %v", c.Addr, err)
	}
	if host, _, _ := net.SplitHostPort(mapped); host != nat.PublicIP {
		t.Errorf("coturn saw the desk at %s, want the router's public address %s", mapped, nat.PublicIP)
	}
}
