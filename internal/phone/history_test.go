package phone

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// fakeHistory keeps what the engine records, and answers the commands with what
// they were asked.
type fakeHistory struct {
	mu       sync.Mutex
	records  chan api.CallRecord
	listed   []api.HistoryListArgs
	deleted  []int64
	clearErr error
	emit     func(string, any) // reports each record as the real history does, when set
}

func newFakeHistory() *fakeHistory { return &fakeHistory{records: make(chan api.CallRecord, 10)} }

func (h *fakeHistory) Record(r api.CallRecord) {
	if h.emit != nil {
		h.emit(api.EvCallCDR, r)
	}
	h.records <- r
}
func (h *fakeHistory) List(_ context.Context, a api.HistoryListArgs) (api.HistoryPage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listed = append(h.listed, a)
	return api.HistoryPage{Calls: []api.CallRecord{{ID: 7}}, Next: 7}, nil
}
func (h *fakeHistory) Delete(_ context.Context, id int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deleted = append(h.deleted, id)
	return nil
}
func (h *fakeHistory) Clear(context.Context) (int64, error) { return 3, h.clearErr }

func (h *fakeHistory) next(t *testing.T) api.CallRecord {
	t.Helper()
	select {
	case r := <-h.records:
		return r
	case <-time.After(2 * time.Second):
		t.Fatal("no call recorded")
		return api.CallRecord{}
	}
}

// An answered outgoing call is recorded when it ends, with its times, duration,
// cause and the side that hung up.
func TestAnsweredOutgoingCallIsRecorded(t *testing.T) {
	h := newFakeHistory()
	r := newRig(t, func(c *Config) { c.History = h })
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob"})
	d := r.sip.lastDial(t)
	start := r.expectStates(api.CallDialing).StartedAt
	r.advance(2 * time.Second)
	r.sipEvent(d.id, inAnswered, 200, peerSDP(30000, pcma))
	r.expectStates(api.CallActive)
	r.advance(7 * time.Second)
	h.emit = r.p.bus.Emit
	r.mustDo(api.CmdCallHangup.Name, &api.HangupArgs{})
	// the call's record is handed over after its final call.state, so call.cdr follows it
	for ended := false; ; {
		ev := <-r.events
		if ev.Event == api.EvCallState && ev.Data.(api.CallState).State == api.CallEnded {
			ended = true
		}
		if ev.Event == api.EvCallCDR {
			if !ended {
				t.Fatal("call.cdr came before the call's final call.state")
			}
			break
		}
	}

	got := h.next(t)
	want := api.CallRecord{
		CallID: "c1", SIPCallID: d.id, Direction: api.DirOutgoing, Account: "alice@127.0.0.1:5060",
		Peer: "sip:bob@127.0.0.1:5060", PeerUser: "bob",
		StartedAt: start, AnsweredAt: start + 2000, EndedAt: start + 9000, Duration: 7000,
		Cause: api.Cause{Kind: api.CauseLocalHangup}, EndedBy: api.EndedByLocal, Codec: "PCMA",
	}
	if got != want {
		t.Fatalf("record %+v\nwant   %+v", got, want)
	}
}

// A missed incoming call (the caller gave up) and one we rejected are recorded too.
func TestUnansweredIncomingCallsAreRecorded(t *testing.T) {
	h := newFakeHistory()
	r := newRig(t, func(c *Config) { c.History = h })
	d, _ := r.incoming("in-1")
	r.sipEvent(d.id, inRemoteCancel, 0, nil)
	r.expectStates(api.CallEnded)
	if got := h.next(t); got.Direction != api.DirIncoming || got.AnsweredAt != 0 || got.Duration != 0 ||
		got.Cause.Kind != api.CauseRemoteHangup || got.EndedBy != api.EndedByRemote || got.PeerUser != "carol" {
		t.Fatalf("missed call recorded as %+v", got)
	}
	r.incoming("in-2")
	r.mustDo(api.CmdCallReject.Name, &api.RejectArgs{Code: 603})
	r.expectStates(api.CallEnded)
	if got := h.next(t); got.SIPCallID != "in-2" || got.Cause.Kind != api.CauseRejected || got.EndedBy != api.EndedByLocal {
		t.Fatalf("rejected call recorded as %+v", got)
	}
}

func TestEndedBy(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		outgoing bool
		want     string
	}{
		{api.CauseLocalHangup, false, api.EndedByLocal},
		{api.CauseRemoteHangup, true, api.EndedByRemote},
		{api.CauseRejected, true, api.EndedByRemote},
		{api.CauseRejected, false, api.EndedByLocal},
		{api.CauseRTPTimeout, true, api.EndedBySystem},
		{api.CauseShutdown, false, api.EndedBySystem},
	} {
		if got := endedBy(tc.kind, tc.outgoing); got != tc.want {
			t.Errorf("endedBy(%s, outgoing %v) = %s, want %s", tc.kind, tc.outgoing, got, tc.want)
		}
	}
}

// The history commands reach the history with their arguments; without one they
// fail as unavailable.
func TestHistoryCommands(t *testing.T) {
	h := newFakeHistory()
	r := newRig(t, func(c *Config) { c.History = h })
	page := r.mustDo(api.CmdHistoryList.Name, &api.HistoryListArgs{Limit: 5, Peer: "bob"}).(api.HistoryPage)
	if len(page.Calls) != 1 || page.Next != 7 || h.listed[0] != (api.HistoryListArgs{Limit: 5, Peer: "bob"}) {
		t.Fatalf("list: %+v, asked %+v", page, h.listed)
	}
	r.mustDo(api.CmdHistoryDelete.Name, &api.HistoryRef{ID: 4})
	if h.deleted[0] != 4 {
		t.Fatalf("deleted %v", h.deleted)
	}
	if got := r.mustDo(api.CmdHistoryClear.Name, nil).(api.HistoryCleared); got.Deleted != 3 {
		t.Fatalf("clear: %+v", got)
	}
	h.clearErr = errors.New("disk")
	if _, err := r.do(api.CmdHistoryClear.Name, nil); err == nil {
		t.Fatal("clear's error was lost")
	}

	none := newRig(t, nil)
	for _, cmd := range []string{api.CmdHistoryList.Name, api.CmdHistoryDelete.Name, api.CmdHistoryClear.Name} {
		if _, err := none.do(cmd, nil); !errors.Is(err, ErrNoHistory) || apiCode(err) != api.CodeUnavailable {
			t.Errorf("%s without a history: %v", cmd, err)
		}
	}
}
