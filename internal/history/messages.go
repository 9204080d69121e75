package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// The instant messages, kept in the same database as the calls and by the same
// goroutine. The writes take a done function instead of a context: the phone hands
// over a message and goes on, and done runs on the history's goroutine once the
// write is committed (or failed), in the order of the writes, with the count of
// unread messages after it, so that counts reported in done's order are never
// older than one reported before. A failed open or write reaches done as
// ErrUnavailable; done also runs (with ErrUnavailable) when the store is closed.

// unreadCount counts the unread messages.
const unreadCount = `SELECT COUNT(*) FROM messages WHERE direction = 'incoming' AND read = 0`

const messageColumns = `id, direction, account, peer, peer_uri, peer_name, at, body, state, code, reason, read`

// AddMessage stores m (its ID is ignored) and hands done the stored message, with
// its ID, and the unread count.
func (s *Store) AddMessage(m api.ChatMessage, done func(api.ChatMessage, int, error)) {
	s.write(func(db *sql.DB) (int, error) {
		res, err := db.Exec(`INSERT INTO messages (direction, account, peer, peer_uri, peer_name, at, body,
			state, code, reason, read) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Direction, m.Account, m.Peer, m.PeerURI, m.PeerName, m.Time, m.Text, m.State, m.Code, m.Reason, m.Read)
		if err == nil {
			m.ID, err = res.LastInsertId()
		}
		return 0, err
	}, func(_ int, unread int, err error) { done(m, unread, err) })
}

// SetMessageState records the delivery of our message id and hands done the
// message as stored now.
func (s *Store) SetMessageState(id int64, state string, code int, reason string, done func(api.ChatMessage, error)) {
	var m api.ChatMessage
	s.write(func(db *sql.DB) (int, error) {
		if _, err := db.Exec(`UPDATE messages SET state = ?, code = ?, reason = ? WHERE id = ?`, state, code, reason, id); err != nil {
			return 0, err
		}
		var err error
		m, err = scanMessage(db.QueryRow("SELECT "+messageColumns+" FROM messages WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNoMessage // deleted while it was on its way
		}
		return 0, err
	}, func(_ int, _ int, err error) { done(m, err) })
}

// MarkRead marks read every received message of the conversation with peer and
// hands done how many it marked and the unread count.
func (s *Store) MarkRead(peer string, done func(marked int64, unread int, err error)) {
	s.write(func(db *sql.DB) (int, error) {
		return affected(db.Exec(`UPDATE messages SET read = 1 WHERE peer = ? AND read = 0`, peer))
	}, func(n, unread int, err error) { done(int64(n), unread, err) })
}

// DeleteMessages deletes the message id, or with id 0 every message of the
// conversation with peer, and hands done how many it deleted and the unread count.
// A message id that is not there is ErrNoMessage; a conversation without
// messages is none deleted.
func (s *Store) DeleteMessages(id int64, peer string, done func(deleted int64, unread int, err error)) {
	s.write(func(db *sql.DB) (int, error) {
		if id == 0 {
			return affected(db.Exec(`DELETE FROM messages WHERE peer = ?`, peer))
		}
		n, err := affected(db.Exec(`DELETE FROM messages WHERE id = ?`, id))
		if err == nil && n == 0 {
			err = ErrNoMessage
		}
		return n, err
	}, func(n, unread int, err error) { done(int64(n), unread, err) })
}

// UnreadMessages hands done the unread count.
func (s *Store) UnreadMessages(done func(unread int, err error)) {
	s.write(func(*sql.DB) (int, error) { return 0, nil }, func(_ int, unread int, err error) { done(unread, err) })
}

// write runs f on the owner goroutine, counts the unread messages after it, and
// hands done f's number, the count and the error: ErrUnavailable wrapping the
// database's, or f's own ErrNoMessage.
func (s *Store) write(f func(db *sql.DB) (int, error), done func(n, unread int, err error)) {
	ok := s.enqueue(func(db *sql.DB, err error) {
		var n, unread int
		if err == nil {
			n, err = f(db)
		}
		if err == nil || errors.Is(err, ErrNoMessage) {
			if cerr := db.QueryRow(unreadCount).Scan(&unread); cerr != nil {
				err = cerr
			}
		}
		if err != nil && !errors.Is(err, ErrNoMessage) && !errors.Is(err, ErrUnavailable) {
			s.log.Error("write the messages", "err", err)
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		done(n, unread, err)
	})
	if !ok {
		done(0, 0, ErrUnavailable)
	}
}

// affected is the number of rows an Exec changed.
func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ListMessages returns one page of messages, newest first: of the conversation
// with a.Peer, or of all when it is empty; with a.Account, an address of record
// (the phone turns the command's account id into it), only those of that account.
// a is checked with CheckChatListArgs.
func (s *Store) ListMessages(ctx context.Context, a api.ChatListArgs) (api.ChatPage, error) {
	if err := CheckChatListArgs(&a); err != nil {
		return api.ChatPage{}, err
	}
	return query(ctx, s, func(db *sql.DB) (api.ChatPage, error) {
		q, args := "SELECT "+messageColumns+" FROM messages WHERE id < ?", []any{a.Before}
		if a.Before == 0 {
			args[0] = int64(1) << 62
		}
		if a.Peer != "" {
			q, args = q+" AND peer = ?", append(args, a.Peer)
		}
		if a.Account != "" {
			q, args = q+" AND account = ?", append(args, a.Account)
		}
		rows, err := db.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, a.Limit+1)...)
		if err != nil {
			return api.ChatPage{}, err
		}
		defer rows.Close()
		page := api.ChatPage{Messages: []api.ChatMessage{}}
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return api.ChatPage{}, err
			}
			page.Messages = append(page.Messages, m)
		}
		if len(page.Messages) > a.Limit {
			page.Messages = page.Messages[:a.Limit]
			page.Next = page.Messages[a.Limit-1].ID
		}
		return page, rows.Err()
	})
}

// CheckChatListArgs validates the arguments of chat.list and fills in the
// default limit.
func CheckChatListArgs(a *api.ChatListArgs) error {
	switch {
	case a.Limit < 0 || a.Limit > MaxLimit:
		return api.BadArg("limit", "must be 1 to 500 (0: 50)")
	case a.Before < 0:
		return api.BadArg("before", "must be the next of a previous page, or 0")
	case len(a.Peer) > maxPeerLen:
		return api.BadArg("peer", "must be at most 256 bytes")
	case len(a.Account) > maxPeerLen:
		return api.BadArg("account", "must be at most 256 bytes")
	}
	if a.Limit == 0 {
		a.Limit = DefaultLimit
	}
	return nil
}

// maxConversations bounds chat.conversations: beyond it, the oldest are left out.
const maxConversations = 500

// Conversations returns the conversations, the latest first, each with its last
// message and unread count; with a.Account, an address of record (as for
// ListMessages), only that account's, each with its last message and unread count
// in that account. The total unread count is every account's.
func (s *Store) Conversations(ctx context.Context, a api.ChatConversationsArgs) (api.Conversations, error) {
	if len(a.Account) > maxPeerLen {
		return api.Conversations{}, api.BadArg("account", "must be at most 256 bytes")
	}
	return query(ctx, s, func(db *sql.DB) (api.Conversations, error) {
		rows, err := db.QueryContext(ctx, conversationsQuery(a.Account), conversationsArgs(a.Account)...)
		if err != nil {
			return api.Conversations{}, err
		}
		defer rows.Close()
		out := api.Conversations{Conversations: []api.Conversation{}}
		for rows.Next() {
			var c api.Conversation
			if c.Last, err = scanMessage(rows, &c.Unread); err != nil {
				return api.Conversations{}, err
			}
			c.Peer = c.Last.Peer
			out.Conversations = append(out.Conversations, c)
		}
		if err := rows.Err(); err != nil {
			return api.Conversations{}, err
		}
		return out, db.QueryRowContext(ctx, unreadCount).Scan(&out.Unread)
	})
}

// conversationsQuery selects the last message of each conversation, of every
// account or (account not empty) of one, and its unread count.
func conversationsQuery(account string) string {
	if account == "" {
		return `SELECT ` + messageColumns + `,
			(SELECT COUNT(*) FROM messages u WHERE u.peer = m.peer AND u.direction = 'incoming' AND u.read = 0)
			FROM messages m WHERE id IN (SELECT MAX(id) FROM messages GROUP BY peer)
			ORDER BY id DESC LIMIT ?`
	}
	return `SELECT ` + messageColumns + `,
		(SELECT COUNT(*) FROM messages u WHERE u.peer = m.peer AND u.account = m.account AND u.direction = 'incoming' AND u.read = 0)
		FROM messages m WHERE id IN (SELECT MAX(id) FROM messages WHERE account = ? GROUP BY peer)
		ORDER BY id DESC LIMIT ?`
}

// conversationsArgs are the arguments of conversationsQuery(account).
func conversationsArgs(account string) []any {
	if account == "" {
		return []any{maxConversations}
	}
	return []any{account, maxConversations}
}

// scanMessage reads a row of messageColumns, and then into extra.
func scanMessage(row interface{ Scan(...any) error }, extra ...any) (api.ChatMessage, error) {
	var m api.ChatMessage
	err := row.Scan(append([]any{&m.ID, &m.Direction, &m.Account, &m.Peer, &m.PeerURI, &m.PeerName,
		&m.Time, &m.Text, &m.State, &m.Code, &m.Reason, &m.Read}, extra...)...)
	return m, err
}
