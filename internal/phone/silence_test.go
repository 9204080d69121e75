package phone

import (
	"fmt"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/media"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Comfort noise follows the silenceSuppression setting: named in our offers
// and answers only when it is on, answered only where offered, and used by
// the stream only where both SDPs name it (RFC 3389 section 4).

// cnSDP is a peer's SDP with codec that names CN/8000 or not.
func cnSDP(port int, codec sipstack.Codec, cn bool) []byte {
	md := sipstack.MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []sipstack.Codec{codec}, DTMFPT: 101, Direction: "sendrecv"}
	if cn {
		md.CNPT = 13
	}
	return sipstack.BuildSDP(7, 1, md)
}

func withSilenceSuppression(v string) func(*Config) {
	return func(c *Config) { c.Settings.SilenceSuppression = v }
}

func TestOutgoingCallOffersComfortNoiseOnlyWithTheSetting(t *testing.T) {
	for _, c := range []struct {
		setting  string
		answered bool
		want     uint8 // the stream's CN
	}{
		{api.ProcessingOn, true, 13},
		{api.ProcessingOn, false, 0},
		{api.ProcessingOff, true, 0},
		{api.ProcessingAuto, true, 0},
		{"", true, 0},
	} {
		t.Run(fmt.Sprintf("%q answered with CN %v", c.setting, c.answered), func(t *testing.T) {
			r := newRig(t, withSilenceSuppression(c.setting))
			r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
			d := r.sip.lastDial(t)
			offer, err := sipstack.ParseSDP(d.offer)
			if err != nil {
				t.Fatal(err)
			}
			if on := c.setting == api.ProcessingOn; (offer.CNPT == 13) != on {
				t.Fatalf("setting %q: the offer's CN is %d:\n%s", c.setting, offer.CNPT, d.offer)
			}
			r.expectStates(api.CallDialing)
			r.sipEvent(d.id, inAnswered, 200, cnSDP(30000, pcmu, c.answered))
			r.expectStates(api.CallActive)
			if p := r.lastStream().started(); len(p) != 1 || p[0].CNPayloadType != c.want {
				t.Errorf("stream started with %+v, want CN %d", p, c.want)
			}
		})
	}
}

func TestIncomingCallAnswersComfortNoiseOnlyWhereOffered(t *testing.T) {
	for _, c := range []struct {
		setting string
		offered bool
		want    uint8
	}{
		{api.ProcessingOn, true, 13},
		{api.ProcessingOn, false, 0},
		{api.ProcessingOff, true, 0},
	} {
		t.Run(fmt.Sprintf("%q offered CN %v", c.setting, c.offered), func(t *testing.T) {
			r := newRig(t, withSilenceSuppression(c.setting))
			d := &fakeDialog{id: "sip-in"}
			r.p.post(func() {
				r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: cnSDP(31000, pcmu, c.offered)})
			})
			cs := r.expectStates(api.CallIncoming, api.CallRinging)
			r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
			r.expectStates(api.CallActive)
			answer, err := sipstack.ParseSDP(d.answer)
			if err != nil || answer.CNPT != c.want {
				t.Errorf("answer's CN %d, want %d (%v):\n%s", answer.CNPT, c.want, err, d.answer)
			}
			if p := r.lastStream().started(); len(p) != 1 || p[0].CNPayloadType != c.want {
				t.Errorf("stream started with %+v, want CN %d", p, c.want)
			}
		})
	}
}

func TestSilenceSuppressionSetting(t *testing.T) {
	r := newRig(t, nil)
	if s := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.SilenceSuppression != api.ProcessingAuto {
		t.Errorf("default %q, want auto", s.SilenceSuppression)
	}
	on := api.ProcessingOn
	if s := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{SilenceSuppression: &on}).(api.Settings); s.SilenceSuppression != on {
		t.Errorf("after setting on: %q", s.SilenceSuppression)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	if offer, _ := sipstack.ParseSDP(r.sip.lastDial(t).offer); offer.CNPT != 13 {
		t.Errorf("setting on at run time: the next offer's CN is %d", offer.CNPT)
	}
	bad := "sometimes"
	if _, err := r.do(api.CmdSettingsSet.Name, &api.SettingsArgs{SilenceSuppression: &bad}); err == nil {
		t.Error("silenceSuppression \"sometimes\" accepted")
	}
}

// TestCallStatsCountComfortNoise: the stream's CN counts reach the call's
// figures.
func TestCallStatsCountComfortNoise(t *testing.T) {
	st := publicStats("c1", 1, media.Stats{Codec: "PCMU", CNSent: 12, CNReceived: 7})
	if st.CNSent != 12 || st.CNReceived != 7 {
		t.Errorf("cnSent %d, cnReceived %d; want 12 and 7", st.CNSent, st.CNReceived)
	}
}

// TestReInviteAddingComfortNoiseToACallWithoutIt: a call answered without CN
// does not take it up when the peer's re-INVITE adds it (the stack's answer
// leaves it out); one answered with CN keeps it through a re-INVITE and drops
// it when the peer does.
func TestReInviteAddingComfortNoiseToACallWithoutIt(t *testing.T) {
	for _, first := range []bool{false, true} {
		r := newRig(t, withSilenceSuppression(api.ProcessingOn))
		d := &fakeDialog{id: "sip-in"}
		r.p.post(func() {
			r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: cnSDP(31000, pcmu, first)})
		})
		cs := r.expectStates(api.CallIncoming, api.CallRinging)
		r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
		r.expectStates(api.CallActive)
		r.p.post(func() { r.p.onRemoteUpdate(d.id, cnSDP(31002, pcmu, true), false) })
		r.sync()
		p := r.lastStream().started()
		want := uint8(0)
		if first {
			want = 13
		}
		if got := p[len(p)-1].CNPayloadType; got != want {
			t.Errorf("answered with CN %v, re-INVITE with CN: the stream's CN is %d, want %d", first, got, want)
		}
		if first {
			r.p.post(func() { r.p.onRemoteUpdate(d.id, cnSDP(31004, pcmu, false), false) })
			r.sync()
			if p := r.lastStream().started(); p[len(p)-1].CNPayloadType != 0 {
				t.Errorf("a re-INVITE without CN left the stream's CN at %d", p[len(p)-1].CNPayloadType)
			}
		}
	}
}

// TestSettingOffMidCallKeepsTheCallsComfortNoise: the setting turned off during a
// call changes none of its SDPs, so a re-INVITE after it keeps playing the peer's
// CN: dropping it would leave the peer's silences dead air and, with no audio
// counted, end the call at the RTP timeout.
func TestSettingOffMidCallKeepsTheCallsComfortNoise(t *testing.T) {
	r := newRig(t, withSilenceSuppression(api.ProcessingOn))
	d := &fakeDialog{id: "sip-in"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", SDP: cnSDP(31000, pcmu, true)})
	})
	cs := r.expectStates(api.CallIncoming, api.CallRinging)
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
	r.expectStates(api.CallActive)
	off := api.ProcessingOff
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{SilenceSuppression: &off})
	r.p.post(func() { r.p.onRemoteUpdate(d.id, cnSDP(31002, pcmu, true), false) })
	r.sync()
	if p := r.lastStream().started(); p[len(p)-1].CNPayloadType != 13 {
		t.Errorf("setting off mid-call, then a re-INVITE: the stream's CN is %d, want 13 as our answer named it", p[len(p)-1].CNPayloadType)
	}
}
