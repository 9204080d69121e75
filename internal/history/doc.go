// Package history keeps the call history: one record per ended call, in an SQLite
// database (modernc.org/sqlite, pure Go: no cgo) in the engine's data directory.
//
// The engine pays nothing for it while idle. The database is opened on the first
// record or query, by the package's own goroutine, which also runs every write and
// query in turn from a queue; it closes the database and returns after a while with
// nothing to do, and the next request starts it again. The phone's actor only appends
// to the queue (Record never blocks), so it never waits on the disk.
package history
