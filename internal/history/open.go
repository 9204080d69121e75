package history

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// pragmas are set on every connection.
//
// journal_mode=WAL: a write appends to the log and a crash at any point leaves
// either the whole transaction or none of it; readers never block the writer.
//
// synchronous=FULL: a commit returns once its WAL frames are on the disk (fsync).
// NORMAL would survive the engine being killed (the frames are in the OS's cache
// when the commit returns) but not the machine losing power, which could take back
// calls whose call.cdr a page has already shown. One fsync per ended call is a cost
// nobody sees, so the record a CDR event announces is always on the disk.
//
// busy_timeout: the one connection waits out a checkpoint by another process
// (a copy opened by hand) instead of failing.
var pragmas = []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(5000)", "foreign_keys(ON)"}

// open opens (creating it owner-only when new) the database at path and brings its
// schema up to date.
func open(ctx context.Context, path string) (*sql.DB, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", path+"?"+q.Encode()) // a plain name: the driver takes the query off
	if err != nil {
		return nil, err
	}
	// One connection: the goroutine that owns the store runs one statement at a
	// time, and every pragma above holds on it.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, schemaVersion); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}
