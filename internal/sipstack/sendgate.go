package sipstack

import (
	"context"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// sendGate is the way out of every request the stack sends: the TxRequester of
// each of its sipgo clients, and the inviteTap's way to the transaction layer.
// Once the stack has closed, it refuses them with ErrClosed. sipgo's transport
// layer has no closed state: a request after Close finds no connection in the pool
// Close emptied and opens a socket of its own, with a reader goroutine nothing
// ever stops (a BYE after Close did, for one). A request on its way while the
// stack closes, whose socket the pool took after Close emptied it, is terminated
// and the pool emptied again.
type sendGate struct {
	txl *sip.TransactionLayer
	tpl *sip.TransportLayer

	mu     sync.Mutex
	closed bool
}

// Request is sipgo's ClientTransactionRequester: a transaction per request, as the
// transaction layer makes it, and an ACK straight to the transport.
func (g *sendGate) Request(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error) {
	if req.IsAck() {
		if g.isClosed() {
			return nil, ErrClosed
		}
		err := g.tpl.WriteMsg(req)
		g.afterClose(nil)
		return nil, err
	}
	return g.open(ctx, req, nil)
}

// open makes req's client transaction and sends req; beforeSend, when set, sees
// req once the transport has chosen its connection and filled its Via.
func (g *sendGate) open(ctx context.Context, req *sip.Request, beforeSend func(*sip.Request)) (sip.ClientTransaction, error) {
	if g.isClosed() {
		return nil, ErrClosed
	}
	tx, err := g.txl.NewClientTransaction(ctx, req)
	if err != nil {
		return nil, err
	}
	if g.afterClose(tx) {
		return nil, ErrClosed
	}
	if beforeSend != nil {
		beforeSend(req)
	}
	if err := tx.Init(); err != nil {
		tx.Terminate()
		return nil, err
	}
	return tx, nil
}

// afterClose undoes what a request that crossed Close opened: its transaction is
// terminated and the transport's pools emptied again. It reports whether the stack
// had closed.
func (g *sendGate) afterClose(tx sip.ClientTransaction) bool {
	if !g.isClosed() {
		return false
	}
	if tx != nil {
		tx.Terminate()
	}
	_ = g.tpl.Close()
	return true
}

func (g *sendGate) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// close refuses every request from now on; called before the transport closes.
func (g *sendGate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
