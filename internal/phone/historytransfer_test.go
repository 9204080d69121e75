package phone

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// recordOf waits for the history record of the call callID.
func (h *fakeHistory) recordOf(t *testing.T, callID string) api.CallRecord {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		select {
		case r := <-h.records:
			if r.CallID == callID {
				return r
			}
		case <-deadline:
			t.Fatalf("no record of call %s", callID)
			return api.CallRecord{}
		}
	}
}

// A call handed over by a transfer says to whom in its history record, whichever
// way it was handed over.
func TestHistoryRecordsWhereACallWasTransferred(t *testing.T) {
	t.Run("our transfer", func(t *testing.T) {
		h := newFakeHistory()
		r := newRig(t, func(c *Config) { c.History = h })
		d, cs := activeOutgoing(t, r)
		d.holdAnswer = holdSDP(30000, sipstack.DirRecvOnly)
		r.mustDo(api.CmdCallTransfer.Name, &api.TransferArgs{CallRef: api.CallRef{CallID: cs.CallID}, Target: "carol"})
		r.notify(d.id, 200, "OK", true)
		if rec := h.recordOf(t, cs.CallID); !strings.Contains(rec.TransferredTo, "carol") || rec.Cause.Kind != api.CauseTransferred {
			t.Errorf("record %+v, want transferred to carol", rec)
		}
	})
	t.Run("the peer's REFER", func(t *testing.T) {
		h := newFakeHistory()
		r := newRig(t, func(c *Config) { c.History = h })
		d, cs := activeOutgoing(t, r)
		r.referred(d)
		to := r.nthDial(2)
		r.sipEvent(to.id, inAnswered, 200, peerSDP(30002, pcmu))
		if rec := h.recordOf(t, cs.CallID); rec.TransferredTo != "sip:carol@127.0.0.1:5060" {
			t.Errorf("record %+v, want transferred to carol's URI", rec)
		}
	})
	t.Run("an INVITE with Replaces", func(t *testing.T) {
		h := newFakeHistory()
		r := newRig(t, func(c *Config) { c.History = h })
		old, cs := activeOutgoing(t, r)
		d := &fakeDialog{id: "sip-replacing"}
		r.p.post(func() {
			r.p.onIncoming(Incoming{Dialog: d, From: "sip:carol@127.0.0.1", FromUser: "carol", SDP: peerSDP(31000, pcmu), Replaces: old.id})
		})
		waitFor(t, func() bool { return slices.Contains(old.did(), "hangup") })
		if rec := h.recordOf(t, cs.CallID); rec.TransferredTo != "sip:carol@127.0.0.1" {
			t.Errorf("record %+v, want replaced by carol", rec)
		}
	})
}
