package sipstack

import (
	"bytes"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// A peer that reuses a Via branch for a new request (a re-INVITE with the branch of
// the call's first INVITE, say) breaks RFC 3261 section 8.1.1.7, and sipgo takes the
// request for a retransmission of the transaction it still keeps under that branch
// (an answered INVITE stays 32 s): it is absorbed, unanswered, and the peer
// retransmits it until it gives up. reusedBranches tells the two apart before sipgo
// parses the datagram: a request whose transaction key is one of ours but whose CSeq
// number is higher is a new request, and the old transaction, over for the peer,
// is ended, so that sipgo makes a new one and the request is answered.
//
// Only UDP is watched: a stream's reads are not whole messages, and a stream peer,
// whose transactions need no retransmission, keeps none after the final response.

// reusedBranches are the server transactions our handlers were given, while they
// last, by sipgo's transaction key (branch, sent-by, method).
type reusedBranches struct {
	mu  sync.Mutex
	txs map[string]keptTx
}

// keptTx is a server transaction and the CSeq number of its request.
type keptTx struct {
	tx   sip.ServerTransaction
	cseq uint32
}

// keep records tx, the transaction of req, until it ends.
func (r *reusedBranches) keep(req *sip.Request, tx sip.ServerTransaction) {
	key, err := sip.ServerTxKeyMake(req)
	if err != nil || req.CSeq() == nil {
		return
	}
	r.mu.Lock()
	if r.txs == nil {
		r.txs = map[string]keptTx{}
	}
	r.txs[key] = keptTx{tx, req.CSeq().SeqNo}
	r.mu.Unlock()
	forget := func(string, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.txs[key].tx == tx {
			delete(r.txs, key)
		}
	}
	if !tx.OnTerminate(forget) {
		forget("", nil) // already over
	}
}

// filter is a transport read filter step: it ends the transaction a new UDP request
// in data would be mistaken for, and passes data on unchanged.
func (r *reusedBranches) filter(info sip.TransportReadProps, data []byte) []byte {
	if info.Transport != "UDP" || bytes.HasPrefix(data, []byte("SIP/")) || r.empty() {
		return data
	}
	msg, err := sip.ParseMessage(data)
	if err != nil {
		return data
	}
	req, ok := msg.(*sip.Request)
	if !ok || req.CSeq() == nil || req.IsAck() || req.IsCancel() {
		return data
	}
	key, err := sip.ServerTxKeyMake(req)
	if err != nil {
		return data
	}
	r.mu.Lock()
	old, ok := r.txs[key]
	r.mu.Unlock()
	if ok && old.cseq < req.CSeq().SeqNo {
		old.tx.Terminate() // synchronously gone from sipgo's table, before it reads data
	}
	return data
}

func (r *reusedBranches) empty() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.txs) == 0
}
