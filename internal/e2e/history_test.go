package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// nextCDR waits for the call.cdr of the call callID.
func (c *client) nextCDR(callID string, timeout time.Duration) api.CallRecord {
	c.t.Helper()
	var r api.CallRecord
	json.Unmarshal(c.next(api.EvCallCDR, timeout, func(d json.RawMessage) bool {
		json.Unmarshal(d, &r)
		return r.CallID == callID
	}), &r)
	if r.ID == 0 {
		c.t.Fatalf("call.cdr of %s was not stored: %+v", callID, r)
	}
	return r
}

// ringing waits for an incoming call to ring.
func (c *client) ringing(timeout time.Duration) api.CallState {
	c.t.Helper()
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, timeout, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallRinging && in.Direction == api.DirIncoming
	}), &in)
	return in
}

// Four calls against kamailio and baresip: out and answered (each side hears the
// other's tone), out and refused (no such user), in and answered, in and missed (the
// caller gives up). Each ends with a stored call.cdr, and history.list returns all
// four, newest first, with their directions, peers, times, causes and who hung up;
// its peer filter and paging work on the engine's own records.
func TestHistoryRecordsCallsBothWays(t *testing.T) {
	s := newCallSetup(t)
	c := s.c
	account := "alice@" + s.kam.Addr

	// 1. out, answered, we hang up
	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	c.callStates(res.CallID, api.CallActive, 10*time.Second)
	s.bob.WaitEvent(t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	c.mustDo(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	c.callStates(res.CallID, api.CallEnded, 5*time.Second)
	outAnswered := c.nextCDR(res.CallID, 5*time.Second)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)

	// 2. out to a user kamailio does not know: refused
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "nobody"}, &res)
	c.callStates(res.CallID, api.CallEnded, 10*time.Second)
	outMissed := c.nextCDR(res.CallID, 5*time.Second)

	// 3. in, answered, bob hangs up
	s.bob.Dial(t, "sip:alice@"+s.kam.Addr)
	in := c.takeCallFrom(s.bob, 10*time.Second)
	inAnswered := c.nextCDR(in.CallID, 5*time.Second)
	s.bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)

	// 4. in, bob gives up while it rings
	s.bob.Dial(t, "sip:alice@"+s.kam.Addr)
	in = c.ringing(10 * time.Second)
	s.bob.Hangup(t)
	c.callStates(in.CallID, api.CallEnded, 5*time.Second)
	inMissed := c.nextCDR(in.CallID, 5*time.Second)

	for _, tc := range []struct {
		name      string
		r         api.CallRecord
		dir, peer string
		answered  bool
		cause     string
		endedBy   string
	}{
		{"out answered", outAnswered, api.DirOutgoing, "bob", true, api.CauseLocalHangup, api.EndedByLocal},
		{"out refused", outMissed, api.DirOutgoing, "nobody", false, api.CauseRejected, api.EndedByRemote},
		{"in answered", inAnswered, api.DirIncoming, "bob", true, api.CauseRemoteHangup, api.EndedByRemote},
		{"in missed", inMissed, api.DirIncoming, "bob", false, api.CauseRemoteHangup, api.EndedByRemote},
	} {
		r := tc.r
		if r.Direction != tc.dir || r.PeerUser != tc.peer || r.Account != account || r.Cause.Kind != tc.cause ||
			r.EndedBy != tc.endedBy || r.SIPCallID == "" || r.StartedAt == 0 || r.EndedAt < r.StartedAt {
			t.Errorf("%s: %+v", tc.name, r)
		}
		switch {
		case tc.answered && (r.AnsweredAt < r.StartedAt || r.Duration != r.EndedAt-r.AnsweredAt || r.Duration <= 0 || r.Codec != "PCMU"):
			t.Errorf("%s: answered call's times, duration or codec wrong: %+v", tc.name, r)
		case !tc.answered && (r.AnsweredAt != 0 || r.Duration != 0):
			t.Errorf("%s: a call never answered has an answer: %+v", tc.name, r)
		}
	}
	if outMissed.Cause.Code != 404 {
		t.Errorf("out refused: cause %+v, want kamailio's 404", outMissed.Cause)
	}

	var page api.HistoryPage
	c.mustDo(api.CmdHistoryList.Name, nil, &page)
	want := []api.CallRecord{inMissed, inAnswered, outMissed, outAnswered}
	if len(page.Calls) != len(want) || page.Next != 0 {
		t.Fatalf("history.list: %d calls (next %d), want 4: %+v", len(page.Calls), page.Next, page.Calls)
	}
	for i, r := range page.Calls {
		if r != want[i] {
			t.Errorf("history.list[%d] = %+v\nwant its call.cdr %+v", i, r, want[i])
		}
	}
	c.mustDo(api.CmdHistoryList.Name, map[string]any{"peer": "NOBODY"}, &page)
	if len(page.Calls) != 1 || page.Calls[0].ID != outMissed.ID {
		t.Errorf("peer filter: %+v", page.Calls)
	}
	c.mustDo(api.CmdHistoryList.Name, map[string]any{"limit": 3}, &page)
	if len(page.Calls) != 3 || page.Next != outMissed.ID {
		t.Errorf("first page of 3: next %d, want %d", page.Next, outMissed.ID)
	}
	c.mustDo(api.CmdHistoryList.Name, map[string]any{"before": page.Next}, &page)
	if len(page.Calls) != 1 || page.Calls[0].ID != outAnswered.ID {
		t.Errorf("second page: %+v", page.Calls)
	}
	if r := c.do(api.CmdHistoryList.Name, map[string]any{"limit": 501}); r.OK || r.Error.Code != api.CodeInvalidArgs {
		t.Errorf("limit 501: %+v", r)
	}
	c.mustDo(api.CmdHistoryDelete.Name, map[string]any{"id": outMissed.ID}, nil)
	if r := c.do(api.CmdHistoryDelete.Name, map[string]any{"id": outMissed.ID}); r.OK || r.Error.Code != api.CodeNotFound {
		t.Errorf("deleting a deleted record: %+v", r)
	}
	var cleared api.HistoryCleared
	c.mustDo(api.CmdHistoryClear.Name, nil, &cleared)
	if cleared.Deleted != 3 {
		t.Errorf("history.clear deleted %d, want 3", cleared.Deleted)
	}
}
