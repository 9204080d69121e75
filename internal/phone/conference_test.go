package phone

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// The rig's microphone is a 1000 Hz tone; the parties' tones are these.
const (
	micHz   = 1000
	bobHz   = 500
	carolHz = 1300
	daveHz  = 2100
)

// party is one call of a conference test: its dialog, its stream and its id.
type party struct {
	d  *fakeDialog
	s  *fakeStream
	id string
}

// dialParty dials to, answers it and makes its stream receive a tone at hz.
func dialParty(t *testing.T, r *rig, to string, hz float64, conference bool) party {
	t.Helper()
	res := r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: to, Conference: conference}).(api.DialResult)
	d := r.sip.lastDial(t)
	s := r.lastStream()
	s.rxFrame = tone(hz, 6000)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000+2*res.Line, pcmu))
	return party{d: d, s: s, id: res.CallID}
}

// status returns the calls of the engine's snapshot by call id.
func (r *rig) calls() map[string]api.CallState {
	m := map[string]api.CallState{}
	for _, cs := range r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot).Lines {
		m[cs.CallID] = cs
	}
	return m
}

// inConference returns the ids of the conference's members, sorted.
func (r *rig) inConference() []string {
	var ids []string
	for id, cs := range r.calls() {
		if cs.Conference {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// hears reports, over the next frames, which of the tones hz the media clock sent s.
func (r *rig) hears(s *fakeStream, hz ...float64) []bool {
	r.ticks(5)
	got := sent(r.t, s, 4)
	out := make([]bool, len(hz))
	for i, f := range hz {
		out[i] = toneIn(got, f)
	}
	return out
}

// drainEvents drops the events received so far.
func (r *rig) drainEvents() {
	for {
		select {
		case <-r.events:
		default:
			return
		}
	}
}

// waitUnheld waits until no call is held by our side.
func (r *rig) waitUnheld(t *testing.T) {
	t.Helper()
	waitFor(t, func() bool {
		for _, cs := range r.calls() {
			if cs.Held {
				return false
			}
		}
		return true
	})
}

// conferenceOfTwo has bob (line 1) and carol (line 2) in a conference with the user,
// made by conference.add after dialing carol held bob (auto-hold on).
func conferenceOfTwo(t *testing.T) (*rig, party, party) {
	r := newRig(t, func(c *Config) { c.Settings.AutoHold, c.Settings.MaxLines = true, 4 })
	bob := dialParty(t, r, "bob", bobHz, false)
	carol := dialParty(t, r, "carol", carolHz, false)
	waitFor(t, func() bool { return r.lineHeld(1) })
	r.mustDo(api.CmdConferenceAdd.Name, &api.CallRef{CallID: bob.id})
	waitDid(t, bob.d, "hold", "resume")
	r.waitUnheld(t)
	return r, bob, carol
}

// conference.add joins a held line: each party hears the user and the other party,
// never itself, and the user hears both.
func TestConferenceAddMixesTheParties(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	if got, want := r.inConference(), []string{bob.id, carol.id}; !slices.Equal(got, want) {
		t.Fatalf("conference members %v, want %v", got, want)
	}
	if got := r.hears(bob.s, micHz, carolHz, bobHz); !slices.Equal(got, []bool{true, true, false}) {
		t.Errorf("bob hears mic, carol, bob: %v; want true true false", got)
	}
	if got := r.hears(carol.s, micHz, bobHz, carolHz); !slices.Equal(got, []bool{true, true, false}) {
		t.Errorf("carol hears mic, bob, carol: %v; want true true false", got)
	}
	played := joinFrames(r.ticks(4))
	if !toneIn(played, bobHz) || !toneIn(played, carolHz) {
		t.Error("the speaker does not play both parties")
	}
	if got := carol.d.did(); len(got) != 0 {
		t.Errorf("carol was sent %v: the conference held a member", got)
	}
}

// call.dial with conference dials a third party in without holding the conference,
// and the party joins when answered.
func TestConferenceDialJoinsWithoutAutoHold(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	dave := dialParty(t, r, "dave", daveHz, true)
	r.sync()
	if got := len(bob.d.did()) + len(carol.d.did()); got != 2 { // bob's first hold and resume
		t.Errorf("the members were sent %v and %v while dialing into the conference", bob.d.did(), carol.d.did())
	}
	if got := r.inConference(); len(got) != 3 || !slices.Contains(got, dave.id) {
		t.Fatalf("conference members %v, want bob, carol and dave", got)
	}
	if got := r.hears(dave.s, micHz, bobHz, carolHz, daveHz); !slices.Equal(got, []bool{true, true, true, false}) {
		t.Errorf("dave hears mic, bob, carol, dave: %v", got)
	}
	if got := r.hears(bob.s, daveHz, carolHz, bobHz); !slices.Equal(got, []bool{true, true, false}) {
		t.Errorf("bob hears dave, carol, bob: %v", got)
	}
}

// A first call.dial with conference makes the conference of the selected call and
// the new one, without holding the selected call.
func TestConferenceDialStartsAConference(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.AutoHold = true })
	bob := dialParty(t, r, "bob", bobHz, false)
	carol := dialParty(t, r, "carol", carolHz, true)
	if got := bob.d.did(); len(got) != 0 {
		t.Errorf("bob was sent %v when carol was dialed into the conference", got)
	}
	if got, want := r.inConference(), []string{bob.id, carol.id}; !slices.Equal(got, want) {
		t.Fatalf("conference members %v, want %v", got, want)
	}
	if got := r.hears(bob.s, carolHz, micHz); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("bob hears carol, mic: %v", got)
	}
}

// conference.remove takes a party back to its own line: auto-held, out of the mix,
// while the others go on.
func TestConferenceRemove(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	dave := dialParty(t, r, "dave", daveHz, true)
	r.mustDo(api.CmdConferenceRemove.Name, &api.CallRef{CallID: dave.id})
	waitDid(t, dave.d, "hold")
	if got, want := r.inConference(), []string{bob.id, carol.id}; !slices.Equal(got, want) {
		t.Fatalf("conference members %v, want %v", got, want)
	}
	if sel := r.selected(); sel != 1 {
		t.Errorf("selected line %d after removing the selected party, want a member's (1)", sel)
	}
	if got := r.hears(bob.s, carolHz, daveHz); !slices.Equal(got, []bool{true, false}) {
		t.Errorf("bob hears carol, dave: %v; want true false", got)
	}
	if got := r.hears(dave.s, micHz, bobHz, carolHz); slices.Contains(got, true) {
		t.Errorf("dave, removed, hears mic, bob, carol: %v", got)
	}

	r.mustDo(api.CmdConferenceRemove.Name, &api.CallRef{CallID: carol.id})
	if got := r.inConference(); len(got) != 0 {
		t.Errorf("conference members %v after all but one left, want none", got)
	}
}

// conference.split sends every party back to its own line: the selected one stays
// with the user, the others are auto-held.
func TestConferenceSplit(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	r.mustDo(api.CmdConferenceSplit.Name, nil)
	if got := r.inConference(); len(got) != 0 {
		t.Fatalf("conference members %v after split", got)
	}
	waitDid(t, bob.d, "hold", "resume", "hold") // line 2 (carol) is selected
	if got := r.hears(carol.s, micHz, bobHz); !slices.Equal(got, []bool{true, false}) {
		t.Errorf("carol hears mic, bob after split: %v; want true false", got)
	}
}

// conference.hold and conference.resume hold and resume every member.
func TestConferenceHoldResume(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	r.mustDo(api.CmdConferenceHold.Name, nil)
	waitDid(t, carol.d, "hold")
	waitDid(t, bob.d, "hold", "resume", "hold")
	if cs := r.calls(); !cs[bob.id].Held || !cs[carol.id].Held {
		t.Error("conference.hold answered before every member was held")
	}
	if rms := audio.RMS(r.ticks(2)[1]); rms != 0 {
		t.Errorf("the speaker plays a held conference: RMS %v", rms)
	}
	r.mustDo(api.CmdConferenceResume.Name, nil)
	if cs := r.calls(); cs[bob.id].Held || cs[carol.id].Held {
		t.Error("conference.resume answered before every member was resumed")
	}
	if got := r.hears(bob.s, carolHz); !got[0] {
		t.Error("bob does not hear carol after conference.resume")
	}
}

// A member hanging up leaves the others conferenced; the last one left is a plain
// call on the selected line.
func TestConferenceMemberEnds(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	r.sipEvent(carol.d.id, inRemoteBye, 0, nil)
	if got := r.inConference(); len(got) != 0 {
		t.Errorf("conference members %v after one of two hung up", got)
	}
	if sel := r.selected(); sel != 1 {
		t.Errorf("selected line %d, want bob's (1)", sel)
	}
	if got := r.hears(bob.s, micHz); !got[0] {
		t.Error("bob no longer hears the user")
	}
}

// The commands fail with a stable code when there is nothing to conference.
func TestConferenceErrors(t *testing.T) {
	r := newRig(t, nil)
	bob := dialParty(t, r, "bob", bobHz, false)
	for _, tc := range []struct {
		cmd  string
		args any
		want error
	}{
		{api.CmdConferenceAdd.Name, &api.CallRef{CallID: bob.id}, ErrCallState}, // nothing to conference with
		{api.CmdConferenceAdd.Name, &api.CallRef{CallID: "c99"}, ErrNoCall},
		{api.CmdConferenceRemove.Name, &api.CallRef{CallID: bob.id}, ErrNoConference},
		{api.CmdConferenceHold.Name, nil, ErrNoConference},
		{api.CmdConferenceResume.Name, nil, ErrNoConference},
		{api.CmdConferenceSplit.Name, nil, ErrNoConference},
	} {
		if _, err := r.do(tc.cmd, tc.args); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.cmd, err, tc.want)
		}
	}
}

// Turning from the conference to another line auto-holds every member, and turning
// back resumes them all.
func TestConferenceAutoHoldsEveryMember(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	r.drainEvents()
	_, waiting := r.incoming("in-3")
	r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: waiting.CallID})
	waitDid(t, carol.d, "hold")
	waitDid(t, bob.d, "hold", "resume", "hold")
	r.mustDo(api.CmdLineSelect.Name, &api.LineArgs{Line: 1})
	waitDid(t, carol.d, "hold", "resume")
	waitDid(t, bob.d, "hold", "resume", "hold", "resume")
}

// When the selected member hangs up, the user stays with the conference rather than
// turning to a lower line outside it.
func TestConferenceKeepsTheUserWhenTheSelectedMemberEnds(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.AutoHold, c.Settings.MaxLines = true, 4 })
	dialParty(t, r, "bob", bobHz, false)
	carol := dialParty(t, r, "carol", carolHz, false)
	dialParty(t, r, "dave", daveHz, true)
	eve := dialParty(t, r, "eve", 1700, true)
	if got := r.inConference(); len(got) != 3 {
		t.Fatalf("conference members %v, want carol, dave and eve", got)
	}
	r.sipEvent(eve.d.id, inRemoteBye, 0, nil)
	if sel := r.selected(); sel != 2 {
		t.Errorf("selected line %d after the selected member hung up, want a member's (2)", sel)
	}
	if got := r.hears(carol.s, micHz, daveHz); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("carol hears mic, dave: %v", got)
	}
}

// Adding the line the user turned to (which auto-held the conference) joins it and
// resumes every member.
func TestConferenceAddTheSelectedLineResumesTheMembers(t *testing.T) {
	r, bob, carol := conferenceOfTwo(t)
	dave := dialParty(t, r, "dave", daveHz, false)
	waitFor(t, func() bool { return r.lineHeld(1) && r.lineHeld(2) })
	r.mustDo(api.CmdConferenceAdd.Name, &api.CallRef{CallID: dave.id})
	waitDid(t, carol.d, "hold", "resume")
	waitDid(t, bob.d, "hold", "resume", "hold", "resume")
	r.waitUnheld(t)
	if got := r.hears(dave.s, micHz, bobHz, carolHz); !slices.Equal(got, []bool{true, true, true}) {
		t.Errorf("dave hears mic, bob, carol: %v", got)
	}
}

// A call whose auto-hold is still in flight cannot join yet: its resume could not go
// out. The command says so, and nothing changes.
func TestConferenceAddWaitsForAHoldInFlight(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Settings.AutoHold = true })
	bob := dialParty(t, r, "bob", bobHz, false)
	gate := make(chan struct{})
	bob.d.mu.Lock()
	bob.d.holdGate = gate
	bob.d.mu.Unlock()
	dialParty(t, r, "carol", carolHz, false)
	waitDid(t, bob.d, "hold")
	_, err := r.do(api.CmdConferenceAdd.Name, &api.CallRef{CallID: bob.id})
	if !errors.Is(err, errHoldBusy) {
		t.Errorf("conference.add during bob's hold: %v, want %v", err, errHoldBusy)
	}
	if got := r.inConference(); len(got) != 0 {
		t.Errorf("conference members %v after a refused add", got)
	}
	close(gate)
	waitFor(t, func() bool { return r.lineHeld(1) })
	r.mustDo(api.CmdConferenceAdd.Name, &api.CallRef{CallID: bob.id})
	if got := r.inConference(); len(got) != 2 {
		t.Errorf("conference members %v, want bob and carol", got)
	}
}

// The history says which calls were in the conference, also after they left it.
func TestConferenceIsInTheHistory(t *testing.T) {
	h := newFakeHistory()
	r := newRig(t, func(c *Config) { c.History = h; c.Settings.MaxLines = 4 })
	bob := dialParty(t, r, "bob", bobHz, false)
	carol := dialParty(t, r, "carol", carolHz, true)
	dave := dialParty(t, r, "dave", daveHz, false)
	r.mustDo(api.CmdConferenceRemove.Name, &api.CallRef{CallID: carol.id})
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{All: true})
	got := map[string]bool{}
	for range 3 {
		rec := h.next(t)
		got[rec.CallID] = rec.Conference
	}
	if want := map[string]bool{bob.id: true, carol.id: true, dave.id: false}; !maps.Equal(got, want) {
		t.Errorf("records' conference %v, want %v", got, want)
	}
}
