package phone

import (
	"slices"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// The packet time: our offer asks for the configured one (a=ptime), the
// stream sends what the peer's answer asks for within its a=maxptime, and a
// re-INVITE with another a=ptime changes it (RFC 3264 §6.1 and §8).
func TestPacketTimeFollowsThePeersSDP(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.Ptime = 40 * time.Millisecond })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	r.expectStates(api.CallDialing)
	offer, err := sipstack.ParseSDP(d.offer)
	if err != nil {
		t.Fatal(err)
	}
	if offer.Ptime != 40 {
		t.Errorf("our offer asks for %d ms packets, want the configured 40", offer.Ptime)
	}
	peer := func(ptime, maxptime int) []byte {
		return sipstack.BuildSDP(7, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: 30000, Codecs: []sipstack.Codec{pcmu},
			DTMFPT: 101, Direction: "sendrecv", Ptime: ptime, MaxPtime: maxptime})
	}
	r.sipEvent(d.id, inAnswered, 200, peer(30, 0))
	r.expectStates(api.CallActive)
	r.p.post(func() { r.p.onRemoteUpdate(d.id, peer(60, 40), false) })
	r.sync()
	r.p.post(func() { r.p.onRemoteUpdate(d.id, peer(0, 0), false) })
	r.sync()

	s := r.lastStream()
	s.mu.Lock()
	params := slices.Clone(s.params)
	s.mu.Unlock()
	var got []time.Duration
	for _, p := range params {
		got = append(got, p.PacketTime)
	}
	want := []time.Duration{30 * time.Millisecond, 40 * time.Millisecond, 20 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("the stream sent packets of %v, want %v: the answer's ptime, then the re-INVITE's within its maxptime, then the default", got, want)
	}
}
