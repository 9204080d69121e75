package phone

import (
	"context"

	"github.com/wpservice/wpservice/internal/api"
)

// History keeps a record of every ended call (internal/history). The engine hands it
// each call as it ends, answered or not, whether or not a page is open, and answers
// the history commands from it.
type History interface {
	// Record stores r and then reports it as call.cdr. The actor calls it: it must
	// never block on the disk.
	Record(r api.CallRecord)
	List(ctx context.Context, args api.HistoryListArgs) (api.HistoryPage, error)
	Delete(ctx context.Context, id int64) error
	Clear(ctx context.Context) (int64, error)
}

// recordEnd hands the call that just ended to the history.
func (p *Phone) recordEnd(c *call) {
	if p.cfg.History == nil {
		return
	}
	p.cfg.History.Record(p.callRecord(c))
}

// callRecord is c's record in the history: c has ended.
func (p *Phone) callRecord(c *call) api.CallRecord {
	cs := c.public()
	r := api.CallRecord{
		CallID: cs.CallID, SIPCallID: cs.SIPCallID, Direction: cs.Direction,
		Peer: cs.Peer, PeerUser: cs.PeerUser, PeerName: cs.PeerName,
		StartedAt: cs.StartedAt, AnsweredAt: cs.AnsweredAt, EndedAt: cs.EndedAt,
		Codec: cs.Codec, Conference: c.conferenced, TransferredTo: c.transferredTo,
	}
	if acc := p.accountOf(c); acc.Configured() {
		r.Account = acc.Username + "@" + acc.Server
	}
	if cs.AnsweredAt != 0 {
		r.Duration = cs.EndedAt - cs.AnsweredAt
	}
	if cs.Cause != nil {
		r.Cause = *cs.Cause
	}
	r.EndedBy = endedBy(r.Cause.Kind, c.outgoing)
	return r
}

// endedBy says which side ended a call that ended with cause kind: a rejection is
// the callee's.
func endedBy(kind string, outgoing bool) string {
	switch kind {
	case api.CauseLocalHangup:
		return api.EndedByLocal
	case api.CauseRemoteHangup:
		return api.EndedByRemote
	case api.CauseRejected:
		if outgoing {
			return api.EndedByRemote
		}
		return api.EndedByLocal
	}
	return api.EndedBySystem
}

// historyHandlers answer the history commands from the history, off the actor.
func (p *Phone) historyHandlers() []api.Handler {
	h := func() (History, error) {
		if p.cfg.History == nil {
			return nil, ErrNoHistory
		}
		return p.cfg.History, nil
	}
	return []api.Handler{
		api.Handle(api.CmdHistoryList, func(ctx context.Context, a *api.HistoryListArgs) (api.HistoryPage, error) {
			hist, err := h()
			if err != nil {
				return api.HistoryPage{}, err
			}
			return hist.List(ctx, *a)
		}),
		api.Handle(api.CmdHistoryDelete, func(ctx context.Context, a *api.HistoryRef) (api.Empty, error) {
			hist, err := h()
			if err != nil {
				return api.Empty{}, err
			}
			return api.Empty{}, hist.Delete(ctx, a.ID)
		}),
		api.Handle(api.CmdHistoryClear, func(ctx context.Context, _ *api.NoArgs) (api.HistoryCleared, error) {
			hist, err := h()
			if err != nil {
				return api.HistoryCleared{}, err
			}
			n, err := hist.Clear(ctx)
			return api.HistoryCleared{Deleted: n}, err
		}),
	}
}
