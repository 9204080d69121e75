package testpeer

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestStartKamailioAnswersOptions(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{})
	for _, network := range []string{"udp", "tcp"} {
		resp, err := sipOptions(network, k.Addr, time.Second)
		if err != nil || !strings.HasPrefix(resp, "SIP/2.0 200 Keepalive\r\n") {
			t.Errorf("OPTIONS over %s to %s: %q, %v", network, k.Addr, resp, err)
		}
	}
	if !strings.Contains(k.Log(), "udp: 127.0.0.1") {
		t.Errorf("log does not show the UDP listener:\n%s", k.Log())
	}
}

func TestStartKamailioReportsATakenPort(t *testing.T) {
	t.Parallel()
	bin := Need(t, "kamailio")
	squatter, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	port := squatter.LocalAddr().(*net.UDPAddr).Port
	if _, err := startKamailio(t, bin, KamailioOptions{}, port, 0); !errors.Is(err, errPortTaken) {
		t.Fatalf("start on taken port %d: %v, want errPortTaken", port, err)
	}
}
