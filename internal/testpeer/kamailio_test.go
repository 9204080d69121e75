package testpeer

import (
	"strings"
	"testing"
	"time"
)

func TestStartKamailioAnswersOptions(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{})
	for _, network := range []string{"udp", "tcp"} {
		status, err := sipOptions(network, k.Addr, time.Second)
		if err != nil || status != "SIP/2.0 200 Keepalive" {
			t.Errorf("OPTIONS over %s to %s: %q, %v", network, k.Addr, status, err)
		}
	}
	if !strings.Contains(k.Log(), "udp: 127.0.0.1") {
		t.Errorf("log does not show the UDP listener:\n%s", k.Log())
	}
}
