package e2e

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// A phone whose answer names its RTCP port with a=rtcp (RFC 3605), a port of its
// own rather than its RTP port + 1, gets the engine's RTCP there (at the latest
// the BYE report as the call ends), and the call carries its audio.
func TestRTCPGoesWhereThePeersRTCPAttributeSays(t *testing.T) {
	rtcp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rtcp.Close()
	phone := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uas_pcap_answer_rtcp.xml"), Dir: testpeer.SIPpPcapDir(t),
		Extra: []string{"-key", "rtcp_port", strconv.Itoa(rtcp.LocalAddr().(*net.UDPAddr).Port)}})
	e := redirectEngine(t, phone.LocalPort, nil)
	c := e.connect(t)

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	got := c.callStates(res.CallID, api.CallEnded, 15*time.Second)
	if cs := got[len(got)-1]; cs.Cause == nil || cs.Cause.Kind != api.CauseRemoteHangup || cs.AnsweredAt == 0 {
		t.Errorf("the call ended %+v, want answered and then the phone's BYE", cs)
	}
	if code, log := phone.Wait(t, 5*time.Second); code != 0 {
		t.Errorf("the phone exited %d:\n%s", code, log)
	}

	buf := make([]byte, 1500)
	_ = rtcp.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := rtcp.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no RTCP at the a=rtcp port: %v", err)
	}
	if n < 8 || buf[0]>>6 != 2 || buf[1] < 200 || buf[1] > 204 {
		t.Errorf("the a=rtcp port got %d bytes % x, not an RTCP packet", n, buf[:min(n, 8)])
	}
	e.stop(t)
	if _, rms := loudest(readWAV(t, e.outWAV)); rms < 300 {
		t.Errorf("speaker RMS %.0f: the phone's audio did not arrive", rms)
	}
}
