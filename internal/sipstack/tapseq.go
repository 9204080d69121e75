package sipstack

import (
	"context"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// The CSeq numbers of an outgoing call's dialog. sipgo's session numbers the
// requests it builds (PRACK, BYE, re-INVITE, and their ACKs) from a counter of its
// own, which only the requests it builds can raise. An UPDATE in an early dialog is
// built by the call itself (earlymove.go), since building one through the session
// would read the provisional response sipgo's session is writing as each new one
// arrives; so the session's counter runs behind the dialog's by the number of those
// UPDATEs, and every request the session builds afterwards is moved up by as many.
// Numbers stay strictly increasing (RFC 3261 section 12.2.1.1) however the two
// kinds interleave.

// dialogSeq is the numbering of one INVITE's dialog; guarded by the tap's mutex.
type dialogSeq struct {
	callID string // the dialog's Call-ID
	last   uint32 // the highest number sent, but for ACK and CANCEL
	lag    uint32 // the requests numbered by the call, which sipgo's counter missed
}

// start begins the numbering at the INVITE that opens a dialog (the first, or one
// sent again with credentials or after a redirect).
func (d *dialogSeq) start(inv *sip.Request) {
	*d = dialogSeq{callID: inv.CallID().Value(), last: inv.CSeq().SeqNo}
}

// renumber moves a request sipgo's session built up by the lag. CANCEL keeps the
// INVITE's number, and a request in the dialog of another fork than the answering
// one (tag answered, once known: fork.go) is numbered in that dialog and left alone.
func (d *dialogSeq) renumber(req *sip.Request, answered string) {
	cseq := req.CSeq()
	if cseq == nil || req.IsCancel() || req.CallID() == nil || req.CallID().Value() != d.callID {
		return
	}
	if tag, _ := req.To().Params.Get("tag"); answered != "" && tag != answered {
		return
	}
	cseq.SeqNo += d.lag
	if !req.IsAck() {
		d.last = max(d.last, cseq.SeqNo)
	}
}

// own numbers a request the call built itself: the next number of the dialog.
func (d *dialogSeq) own(req *sip.Request) {
	d.last++
	d.lag++
	req.CSeq().SeqNo = d.last
}

// sendOwn sends a request of the dialog the call built itself (an early UPDATE),
// numbered here and given a Via of cl's when it has none.
func (t *inviteTap) sendOwn(ctx context.Context, cl *sipgo.Client, req *sip.Request) (sip.ClientTransaction, error) {
	if req.Via() == nil {
		if err := sipgo.ClientRequestAddVia(cl, req); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	t.seq.own(req)
	t.mu.Unlock()
	return t.send(ctx, req, false)
}
