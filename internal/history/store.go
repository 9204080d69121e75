package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// DefaultIdleClose is how long the database stays open with nothing to do.
const DefaultIdleClose = time.Minute

// Config configures a Store.
type Config struct {
	Path string // the database file; created when missing
	// Emit reports each record with api.EvCallCDR once it is stored; nil: not reported.
	Emit      func(name string, data any)
	Logger    *slog.Logger
	IdleClose time.Duration // 0: DefaultIdleClose
}

// Store is the call history. Its methods may be called from any goroutine.
type Store struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	jobs    []job         // waiting for the owner, in order
	running bool          // the owner goroutine is running
	closed  bool          // Close was called: no more jobs
	wake    chan struct{} // a job was queued or Close was called (capacity 1)
	owner   sync.WaitGroup
}

// job is one unit of work for the owner goroutine. db is nil when the database
// could not be opened; err then says why.
type job func(db *sql.DB, err error)

// New returns a Store for the database at cfg.Path. It opens nothing and starts
// nothing until the first record or query.
func New(cfg Config) *Store {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleClose <= 0 {
		cfg.IdleClose = DefaultIdleClose
	}
	return &Store{cfg: cfg, log: cfg.Logger.With("component", "history"), wake: make(chan struct{}, 1)}
}

// Close runs the jobs still queued (the records of the calls that ended last),
// closes the database and waits for the owner goroutine to return. Later requests
// fail with ErrUnavailable.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.signal()
	s.owner.Wait()
	return nil
}

// enqueue hands j to the owner goroutine, starting it when it is not running. It
// never blocks. After Close it returns false and j is not run.
func (s *Store) enqueue(j job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.jobs = append(s.jobs, j)
	if !s.running {
		s.running = true
		s.owner.Add(1)
		go s.own()
	}
	s.signal()
	return true
}

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// own is the owner goroutine: it opens the database, runs the jobs in order, and
// closes the database and returns once it has been idle for cfg.IdleClose, or once
// the store is closed and no job is left. A failed open is tried again by the next
// batch of jobs.
func (s *Store) own() {
	defer s.owner.Done()
	var (
		db      *sql.DB
		openErr error
		expired bool
	)
	idle := time.NewTimer(s.cfg.IdleClose)
	defer idle.Stop()
	for {
		s.mu.Lock()
		jobs := s.jobs
		s.jobs = nil
		if len(jobs) == 0 && (s.closed || expired) {
			s.running = false // decided under the lock: enqueue starts a new owner
			s.mu.Unlock()
			if db != nil {
				if err := db.Close(); err != nil {
					s.log.Warn("close the call history", "err", err)
				}
			}
			return
		}
		s.mu.Unlock()
		if len(jobs) > 0 {
			if db == nil {
				db, openErr = s.open()
			}
			for _, j := range jobs {
				j(db, openErr)
			}
			idle.Reset(s.cfg.IdleClose)
			expired = false
			continue
		}
		select {
		case <-s.wake:
		case <-idle.C:
			expired = true
		}
	}
}

// open opens the database for the owner goroutine.
func (s *Store) open() (*sql.DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := open(ctx, s.cfg.Path)
	if err != nil {
		s.log.Error("open the call history", "err", err)
		return nil, errors.Join(ErrUnavailable, err)
	}
	return db, nil
}

// Record stores the record of an ended call and then reports it (api.EvCallCDR).
// It never blocks: the write waits in the queue.
func (s *Store) Record(r api.CallRecord) {
	ok := s.enqueue(func(db *sql.DB, err error) {
		if err == nil {
			r.ID, err = insert(db, r)
		}
		if err != nil {
			s.log.Error("record a call", "call", r.CallID, "err", err)
		}
		if s.cfg.Emit != nil {
			s.cfg.Emit(api.EvCallCDR, r)
		}
	})
	if !ok {
		s.log.Error("record a call: the history is closed", "call", r.CallID)
	}
}

// query runs f on the owner goroutine and returns what it returns, or ctx's error
// when ctx ends first.
func query[T any](ctx context.Context, s *Store, f func(db *sql.DB) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	out := make(chan result, 1)
	ok := s.enqueue(func(db *sql.DB, err error) {
		if err != nil {
			out <- result{err: err}
			return
		}
		if ctx.Err() != nil { // the caller has gone
			out <- result{err: ctx.Err()}
			return
		}
		v, err := f(db)
		if err != nil && !errors.Is(err, ErrNoRecord) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err) // the disk failed us, not the caller
		}
		out <- result{v, err}
	})
	if !ok {
		var zero T
		return zero, ErrUnavailable
	}
	select {
	case r := <-out:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// isRunning says whether the owner goroutine is running (the database may be open).
func (s *Store) isRunning() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running
}
