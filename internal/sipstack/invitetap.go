package sipstack

import (
	"context"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// inviteTap sends the requests of one outgoing call's dialog just as sipgo's client
// would, and keeps the client transaction of the call's initial INVITE (the last one
// sent, after a digest challenge), which sipgo's dialog session holds to itself. The
// call needs it to see the 2xx of a second fork (fork.go) and to send CANCEL
// (cancel.go). It also numbers the dialog's requests (tapseq.go).
type inviteTap struct {
	gate *sendGate // the stack's way out (sendgate.go)

	mu       sync.Mutex
	tx       sip.ClientTransaction
	req      *sip.Request
	answered string // the To tag of the 2xx that answered the call, once known
	prackSeq uint32 // sipgo's CSeq number of the last PRACK sent (prack.go), 0 before
	seq      dialogSeq
}

// tapped returns a copy of dua whose client reports its transactions to a new tap.
func tapped(dua *sipgo.DialogUA) (*sipgo.DialogUA, *inviteTap) {
	t := &inviteTap{gate: dua.Client.TxRequester.(*sendGate)}
	return t.wrap(dua), t
}

// wrap returns a copy of dua whose client reports its transactions to t: the UA
// of an INVITE that follows a redirect on another transport or local address.
// Every client of the stack shares one transaction and one transport layer.
func (t *inviteTap) wrap(dua *sipgo.DialogUA) *sipgo.DialogUA {
	cl := *dua.Client
	cl.TxRequester = t
	tapped := *dua
	tapped.Client = &cl
	return &tapped
}

// Request is sipgo's ClientTransactionRequester: a transaction per request, as the
// transaction layer makes it, and an ACK straight to the transport.
func (t *inviteTap) Request(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error) {
	if req.IsAck() {
		t.ackOfInvite(req)
		return t.gate.Request(ctx, req)
	}
	initial := req.IsInvite() && !req.To().Params.Has("tag")
	t.mu.Lock()
	if req.Method == sip.PRACK {
		t.prackSeq = req.CSeq().SeqNo
	}
	if initial {
		t.seq.start(req)
	} else {
		t.seq.renumber(req, t.answered)
	}
	t.mu.Unlock()
	return t.send(ctx, req, initial)
}

// send opens req's client transaction; the initial INVITE's is kept.
func (t *inviteTap) send(ctx context.Context, req *sip.Request, initial bool) (sip.ClientTransaction, error) {
	var fill func(*sip.Request)
	if initial {
		fill = fillContactPort
	}
	tx, err := t.gate.open(ctx, req, fill)
	if err != nil {
		return nil, err
	}
	if initial {
		t.mu.Lock()
		t.tx, t.req, t.prackSeq = tx, req, 0
		t.mu.Unlock()
		return &dialogTx{ClientTransaction: tx, tap: t}, nil
	}
	return tx, nil
}

// ackOfInvite gives the ACK of the INVITE's 2xx the INVITE's CSeq number (RFC 3261
// section 13.2.2.4). sipgo's session numbers it with the dialog's last CSeq, which
// our PRACKs have raised; so an ACK numbered as the last of them is that ACK (any
// later request of ours, a re-INVITE and its ACK, is numbered higher, and the ACK
// of a re-INVITE is numbered as the re-INVITE went out: tapseq.go).
func (t *inviteTap) ackOfInvite(ack *sip.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cseq := ack.CSeq()
	switch {
	case cseq == nil || t.req == nil:
	case t.prackSeq != 0 && cseq.SeqNo == t.prackSeq:
		cseq.SeqNo = t.req.CSeq().SeqNo
	case cseq.SeqNo != t.req.CSeq().SeqNo:
		t.seq.renumber(ack, t.answered)
	}
}

// answeredBy notes the 2xx that answered the call: its dialog is the call's.
func (t *inviteTap) answeredBy(res *sip.Response) {
	tag, _ := res.To().Params.Get("tag")
	t.mu.Lock()
	t.answered = tag
	t.mu.Unlock()
}

// dialogTx is the initial INVITE's transaction as sipgo's dialog session holds it.
// The session ACKs every 2xx retransmission the transaction reports with the ACK of
// its own dialog; a second fork's 2xx is not one, and fork.go ACKs it on its own
// dialog. So the session hears only of the answering dialog's 2xx.
type dialogTx struct {
	sip.ClientTransaction
	tap *inviteTap
}

// OnRetransmission registers f for the 2xx retransmissions of the answering dialog.
func (d *dialogTx) OnRetransmission(f sip.FnTxResponse) bool {
	return d.ClientTransaction.OnRetransmission(func(res *sip.Response) {
		tag, _ := res.To().Params.Get("tag")
		d.tap.mu.Lock()
		ours := d.tap.answered
		d.tap.mu.Unlock()
		if ours == "" || tag == ours {
			f(res)
		}
	})
}

// invite is the INVITE last sent and its transaction; nil before the first.
func (t *inviteTap) invite() (sip.ClientTransaction, *sip.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tx, t.req
}

// fillContactPort gives a Contact without a port (TLS before the registration's
// connection is known) the port of the connection the INVITE leaves on, which the
// transport has put in Via: what sipgo's own INVITE does.
func fillContactPort(req *sip.Request) {
	ct, via := req.Contact(), req.Via()
	if ct == nil || via == nil || ct.Address.Port != 0 {
		return
	}
	switch ct.Address.Host {
	case "":
		ct.Address.Host, ct.Address.Port = via.Host, via.Port
	case via.Host:
		ct.Address.Port = via.Port
	}
}
