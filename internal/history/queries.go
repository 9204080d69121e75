package history

import (
	"context"
	"database/sql"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
)

// Paging limits of history.list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	maxPeerLen   = 256
)

const columns = `id, call_id, sip_call_id, direction, account, peer_uri, peer_user, peer_name,
	started_at, answered_at, ended_at, duration_ms, end_cause, end_code, end_reason, ended_by,
	codec, transferred_to, conference`

// insert stores r and returns its id.
func insert(db *sql.DB, r api.CallRecord) (int64, error) {
	var answered sql.NullInt64
	if r.AnsweredAt != 0 {
		answered = sql.NullInt64{Int64: r.AnsweredAt, Valid: true}
	}
	res, err := db.Exec(`INSERT INTO calls (call_id, sip_call_id, direction, account, peer_uri,
		peer_user, peer_name, started_at, answered_at, ended_at, duration_ms, end_cause, end_code,
		end_reason, ended_by, codec, transferred_to, conference)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.CallID, r.SIPCallID, r.Direction, r.Account, r.Peer, r.PeerUser, r.PeerName,
		r.StartedAt, answered, r.EndedAt, r.Duration, r.Cause.Kind, r.Cause.Code, r.Cause.Reason,
		r.EndedBy, r.Codec, r.TransferredTo, r.Conference)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// CheckListArgs validates the arguments of history.list and fills in the default
// limit.
func CheckListArgs(a *api.HistoryListArgs) error {
	switch {
	case a.Limit < 0 || a.Limit > MaxLimit:
		return api.BadArg("limit", "must be 1 to 500 (0: 50)")
	case a.Before < 0:
		return api.BadArg("before", "must be a record id from a previous page, or 0")
	case len(a.Peer) > maxPeerLen:
		return api.BadArg("peer", "must be at most 256 bytes")
	case a.From < 0:
		return api.BadArg("from", "must be unix milliseconds, or 0")
	case a.To < 0 || a.To != 0 && a.To <= a.From:
		return api.BadArg("to", "must be unix milliseconds after from, or 0")
	}
	if a.Limit == 0 {
		a.Limit = DefaultLimit
	}
	return nil
}

// List returns one page of the history, newest first.
func (s *Store) List(ctx context.Context, a api.HistoryListArgs) (api.HistoryPage, error) {
	if err := CheckListArgs(&a); err != nil {
		return api.HistoryPage{}, err
	}
	return query(ctx, s, func(db *sql.DB) (api.HistoryPage, error) { return list(ctx, db, a) })
}

func list(ctx context.Context, db *sql.DB, a api.HistoryListArgs) (api.HistoryPage, error) {
	var (
		where []string
		args  []any
	)
	if a.Before > 0 {
		where, args = append(where, "id < ?"), append(args, a.Before)
	}
	if a.Peer != "" {
		like := "%" + escapeLike(a.Peer) + "%"
		where = append(where, `(peer_uri LIKE ? ESCAPE '\' OR peer_user LIKE ? ESCAPE '\' OR peer_name LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if a.From > 0 {
		where, args = append(where, "started_at >= ?"), append(args, a.From)
	}
	if a.To > 0 {
		where, args = append(where, "started_at < ?"), append(args, a.To)
	}
	q := "SELECT " + columns + " FROM calls"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, a.Limit+1) // one more says whether there is a next page
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return api.HistoryPage{}, err
	}
	defer rows.Close()
	page := api.HistoryPage{Calls: []api.CallRecord{}}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return api.HistoryPage{}, err
		}
		page.Calls = append(page.Calls, r)
	}
	if err := rows.Err(); err != nil {
		return api.HistoryPage{}, err
	}
	if len(page.Calls) > a.Limit {
		page.Calls = page.Calls[:a.Limit]
		page.Next = page.Calls[a.Limit-1].ID
	}
	return page, nil
}

func scan(rows *sql.Rows) (api.CallRecord, error) {
	var (
		r        api.CallRecord
		answered sql.NullInt64
	)
	err := rows.Scan(&r.ID, &r.CallID, &r.SIPCallID, &r.Direction, &r.Account, &r.Peer, &r.PeerUser,
		&r.PeerName, &r.StartedAt, &answered, &r.EndedAt, &r.Duration, &r.Cause.Kind, &r.Cause.Code,
		&r.Cause.Reason, &r.EndedBy, &r.Codec, &r.TransferredTo, &r.Conference)
	r.AnsweredAt = answered.Int64
	return r, err
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Delete removes the record id.
func (s *Store) Delete(ctx context.Context, id int64) error {
	if id <= 0 {
		return api.BadArg("id", "must be the id of a record")
	}
	_, err := query(ctx, s, func(db *sql.DB) (struct{}, error) {
		res, err := db.ExecContext(ctx, "DELETE FROM calls WHERE id = ?", id)
		if err != nil {
			return struct{}{}, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return struct{}{}, cmpErr(err, ErrNoRecord)
		}
		return struct{}{}, nil
	})
	return err
}

// Clear removes every record and returns how many there were.
func (s *Store) Clear(ctx context.Context) (int64, error) {
	return query(ctx, s, func(db *sql.DB) (int64, error) {
		res, err := db.ExecContext(ctx, "DELETE FROM calls")
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// cmpErr is err, or def when err is nil.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
