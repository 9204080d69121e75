package history

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// A database left at each earlier schema version, holding a call written as that
// version's engine wrote it, is brought up to the latest: the call is still there,
// new ones are stored, and the schema is what a new database gets.
func TestMigrationsFromEachVersion(t *testing.T) {
	ctx := context.Background()
	fresh := schemaOf(t, func(db *sql.DB) {
		if err := migrate(ctx, db, schemaVersion); err != nil {
			t.Fatal(err)
		}
	})
	for from := 1; from < schemaVersion; from++ {
		path := filepath.Join(t.TempDir(), "history.db")
		db := rawDB(t, path)
		if err := migrate(ctx, db, from); err != nil {
			t.Fatalf("to version %d: %v", from, err)
		}
		// the first schema's columns, which every version has
		if _, err := db.Exec(`INSERT INTO calls (call_id, sip_call_id, direction, account, peer_uri,
			peer_user, peer_name, started_at, ended_at, duration_ms, end_cause, ended_by)
			VALUES ('c1', 's1', 'incoming', 'a@b', 'sip:old@b', 'old', '', 1, 2, 0, 'rejected', 'local')`); err != nil {
			t.Fatalf("version %d: %v", from, err)
		}
		db.Close()

		s := New(Config{Path: path})
		s.Record(record(2, api.DirOutgoing, "new"))
		page, err := s.List(ctx, api.HistoryListArgs{})
		s.Close()
		if err != nil || len(page.Calls) != 2 || page.Calls[1].PeerUser != "old" || page.Calls[0].PeerUser != "new" {
			t.Fatalf("from version %d: %+v, %v", from, page, err)
		}
		db = rawDB(t, path)
		var v int
		db.QueryRow("PRAGMA user_version").Scan(&v)
		if v != schemaVersion {
			t.Errorf("from version %d: at version %d, want %d", from, v, schemaVersion)
		}
		if s := dump(t, db); s != fresh {
			t.Errorf("from version %d the schema is\n%s\nwant\n%s", from, s, fresh)
		}
		db.Close()
	}
}

// A database from a newer engine is refused, not misread.
func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	db := rawDB(t, path)
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open = %v, want the newer schema refused", err)
	}
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// schemaOf returns the schema a new database gets once f has run on it.
func schemaOf(t *testing.T, f func(*sql.DB)) string {
	t.Helper()
	db := rawDB(t, filepath.Join(t.TempDir(), "schema.db"))
	defer db.Close()
	f(db)
	return dump(t, db)
}

// dump lists the schema's objects, with their SQL.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, sql string
		rows.Scan(&typ, &name, &sql)
		b.WriteString(typ + " " + name + ": " + sql + "\n")
	}
	return b.String()
}

// The database runs in WAL mode with synchronous=FULL (open.go says why).
func TestOpenSetsTheJournalAndSync(t *testing.T) {
	db, err := open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var sync int
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	db.QueryRow("PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode %q, synchronous %d; want wal, 2 (FULL)", mode, sync)
	}
}
