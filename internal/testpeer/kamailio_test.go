package testpeer

import (
	"strings"
	"testing"
	"time"
)

func TestStartKamailioAnswersOptions(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{})
	status, err := sipOptions(k.Addr, time.Second)
	if err != nil || status != "SIP/2.0 200 Keepalive" {
		t.Fatalf("OPTIONS to %s: %q, %v", k.Addr, status, err)
	}
	if !strings.Contains(k.Log(), "udp: 127.0.0.1") {
		t.Errorf("log does not show the UDP listener:\n%s", k.Log())
	}
}
