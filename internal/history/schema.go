package history

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from one version to the next: migrations[i] takes a
// database at version i (PRAGMA user_version; 0 = empty) to i+1. A migration is never
// edited once released; a change of schema is a new one at the end, with its test
// from the first schema up (schema_test.go).
var migrations = []string{
	// 1: the calls. answered_at is NULL for a call never answered. The transfer and
	// conference columns are there for the features that fill them.
	`CREATE TABLE calls (
		id             INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a page cursor stays valid
		call_id        TEXT    NOT NULL,
		sip_call_id    TEXT    NOT NULL,
		direction      TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
		account        TEXT    NOT NULL,
		peer_uri       TEXT    NOT NULL,
		peer_user      TEXT    NOT NULL,
		peer_name      TEXT    NOT NULL,
		started_at     INTEGER NOT NULL, -- unix ms
		answered_at    INTEGER,
		ended_at       INTEGER NOT NULL,
		duration_ms    INTEGER NOT NULL,
		end_cause      TEXT    NOT NULL,
		end_code       INTEGER NOT NULL DEFAULT 0,
		end_reason     TEXT    NOT NULL DEFAULT '',
		ended_by       TEXT    NOT NULL,
		codec          TEXT    NOT NULL DEFAULT '',
		transferred_to TEXT    NOT NULL DEFAULT '',
		conference     INTEGER NOT NULL DEFAULT 0
	)`,
	// 2: the time range filter of history.list without a scan.
	`CREATE INDEX calls_started_at ON calls (started_at)`,
	// 3: the instant messages (messages.go), both ways. peer is the conversation's
	// key (user@host of the peer's URI); state is received, or sent, delivered
	// or failed for ours; read is for the received ones.
	`CREATE TABLE messages (
		id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a page cursor stays valid
		direction  TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
		account    TEXT    NOT NULL,
		peer       TEXT    NOT NULL,
		peer_uri   TEXT    NOT NULL,
		peer_name  TEXT    NOT NULL DEFAULT '',
		at         INTEGER NOT NULL, -- unix ms
		body       TEXT    NOT NULL,
		state      TEXT    NOT NULL CHECK (state IN ('received', 'sent', 'delivered', 'failed')),
		code       INTEGER NOT NULL DEFAULT 0,
		reason     TEXT    NOT NULL DEFAULT '',
		read       INTEGER NOT NULL DEFAULT 0
	)`,
	// 4: a conversation's page, and its last message, without a scan.
	`CREATE INDEX messages_peer ON messages (peer, id)`,
}

// schemaVersion is the version migrate brings a database to.
var schemaVersion = len(migrations)

// migrate brings db up to version to, one migration per transaction, so a crash
// leaves it at a version it was at. A database newer than this engine knows is
// refused rather than misread.
func migrate(ctx context.Context, db *sql.DB, to int) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this engine's %d", v, len(migrations))
	}
	for ; v < to; v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	return nil
}
