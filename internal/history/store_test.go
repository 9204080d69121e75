package history

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// cdrs collects the call.cdr events a Store emits.
type cdrs struct {
	mu  sync.Mutex
	got []api.CallRecord
	ch  chan api.CallRecord
}

func newCDRs() *cdrs { return &cdrs{ch: make(chan api.CallRecord, 100)} }

func (c *cdrs) emit(name string, data any) {
	if name != api.EvCallCDR {
		panic("unexpected event " + name)
	}
	c.ch <- data.(api.CallRecord)
}

// next waits for the next CDR.
func (c *cdrs) next(t *testing.T) api.CallRecord {
	t.Helper()
	select {
	case r := <-c.ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no call.cdr")
		return api.CallRecord{}
	}
}

func newStore(t *testing.T, idle time.Duration) (*Store, *cdrs, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	c := newCDRs()
	s := New(Config{Path: path, Emit: c.emit, IdleClose: idle})
	t.Cleanup(func() { s.Close() })
	return s, c, path
}

func record(n int, dir, peer string) api.CallRecord {
	start := int64(1_700_000_000_000 + n*60_000)
	r := api.CallRecord{
		CallID: "c" + string(rune('0'+n)), SIPCallID: "sip-" + string(rune('a'+n)), Direction: dir,
		Account: "agent@pbx.test", Peer: "sip:" + peer + "@pbx.test", PeerUser: peer, PeerName: "Name " + peer,
		StartedAt: start, EndedAt: start + 30_000, Cause: api.Cause{Kind: api.CauseRemoteHangup},
		EndedBy: api.EndedByRemote, Codec: "PCMU",
	}
	if n%2 == 0 {
		r.AnsweredAt, r.Duration = start+5_000, 25_000
	}
	return r
}

func TestRecordIsStoredThenReported(t *testing.T) {
	s, c, _ := newStore(t, 0)
	want := record(2, api.DirOutgoing, "alice")
	want.TransferredTo, want.Conference = "sip:carol@pbx.test", true
	want.Cause = api.Cause{Kind: api.CauseRejected, Code: 486, Reason: "Busy Here"}
	s.Record(want)
	got := c.next(t)
	if got.ID == 0 {
		t.Fatal("the CDR has no id: reported before it was stored")
	}
	want.ID = got.ID
	if got != want {
		t.Fatalf("CDR %+v\nwant %+v", got, want)
	}
	page, err := s.List(context.Background(), api.HistoryListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Calls) != 1 || page.Calls[0] != want || page.Next != 0 {
		t.Fatalf("list = %+v, want the one record %+v", page, want)
	}
}

func TestListPagesAndFilters(t *testing.T) {
	s, c, _ := newStore(t, 0)
	peers := []string{"alice", "bob", "alice", "carol", "Alice_x"}
	for i, p := range peers {
		s.Record(record(i, api.DirIncoming, p))
		c.next(t)
	}
	ctx := context.Background()
	ids := func(p api.HistoryPage) (out []string) {
		for _, r := range p.Calls {
			out = append(out, r.PeerUser)
		}
		return out
	}
	p1, err := s.List(ctx, api.HistoryListArgs{Limit: 2})
	if err != nil || len(p1.Calls) != 2 || p1.Next == 0 {
		t.Fatalf("page 1 = %v %v", p1, err)
	}
	if got := ids(p1); got[0] != "Alice_x" || got[1] != "carol" {
		t.Fatalf("page 1 = %v, want newest first", got)
	}
	p2, _ := s.List(ctx, api.HistoryListArgs{Limit: 2, Before: p1.Next})
	p3, _ := s.List(ctx, api.HistoryListArgs{Limit: 2, Before: p2.Next})
	if got := append(ids(p2), ids(p3)...); len(got) != 3 || got[0] != "alice" || got[1] != "bob" || got[2] != "alice" || p3.Next != 0 {
		t.Fatalf("pages 2 and 3 = %v (next %d)", got, p3.Next)
	}
	byPeer, _ := s.List(ctx, api.HistoryListArgs{Peer: "ALICE"})
	if len(byPeer.Calls) != 3 {
		t.Fatalf("peer ALICE: %v", ids(byPeer))
	}
	literal, _ := s.List(ctx, api.HistoryListArgs{Peer: "e_x"}) // _ is not a wildcard
	if got := ids(literal); len(got) != 1 || got[0] != "Alice_x" {
		t.Fatalf("peer e_x: %v", got)
	}
	if none, _ := s.List(ctx, api.HistoryListArgs{Peer: "%"}); len(none.Calls) != 0 { // nor is %
		t.Fatalf("peer %%: %v", ids(none))
	}
	// calls 1, 2 and 3 started in [from, to)
	r1, r4 := record(1, "", ""), record(4, "", "")
	ranged, _ := s.List(ctx, api.HistoryListArgs{From: r1.StartedAt, To: r4.StartedAt})
	if got := ids(ranged); len(got) != 3 || got[0] != "carol" || got[2] != "bob" {
		t.Fatalf("time range: %v", got)
	}
}

func TestDeleteAndClear(t *testing.T) {
	s, c, _ := newStore(t, 0)
	ctx := context.Background()
	for i := range 3 {
		s.Record(record(i, api.DirOutgoing, "bob"))
		c.next(t)
	}
	page, _ := s.List(ctx, api.HistoryListArgs{})
	victim := page.Calls[1].ID
	if err := s.Delete(ctx, victim); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, victim); !errors.Is(err, ErrNoRecord) || !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("deleting it again: %v, want ErrNoRecord (not_found)", err)
	}
	page, _ = s.List(ctx, api.HistoryListArgs{})
	if len(page.Calls) != 2 || page.Calls[0].ID == victim || page.Calls[1].ID == victim {
		t.Fatalf("after delete: %+v", page.Calls)
	}
	n, err := s.Clear(ctx)
	if err != nil || n != 2 {
		t.Fatalf("clear = %d, %v; want 2", n, err)
	}
	if page, _ = s.List(ctx, api.HistoryListArgs{}); len(page.Calls) != 0 {
		t.Fatalf("after clear: %+v", page.Calls)
	}
}

func TestArgsAreValidated(t *testing.T) {
	s, _, path := newStore(t, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		args  api.HistoryListArgs
		field string
	}{
		{api.HistoryListArgs{Limit: -1}, "limit"},
		{api.HistoryListArgs{Limit: MaxLimit + 1}, "limit"},
		{api.HistoryListArgs{Before: -5}, "before"},
		{api.HistoryListArgs{Peer: string(make([]byte, maxPeerLen+1))}, "peer"},
		{api.HistoryListArgs{From: -1}, "from"},
		{api.HistoryListArgs{From: 10, To: 10}, "to"},
	} {
		var ae *api.ArgError
		if _, err := s.List(ctx, tc.args); !errors.As(err, &ae) || ae.Field != tc.field {
			t.Errorf("List(%+v) = %v, want a bad %s", tc.args, err, tc.field)
		}
	}
	var ae *api.ArgError
	if err := s.Delete(ctx, 0); !errors.As(err, &ae) || ae.Field != "id" {
		t.Errorf("Delete(0) = %v, want a bad id", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("invalid requests opened the database: %v", err)
	}
}

// The database is opened by the first request, not before, and closed (its owner
// goroutine gone) after the idle time; the next request opens it again.
func TestOpensLazilyAndClosesWhenIdle(t *testing.T) {
	s, c, path := newStore(t, 50*time.Millisecond)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the database exists before any request: %v", err)
	}
	if s.isRunning() {
		t.Fatal("the owner goroutine runs before any request")
	}
	s.Record(record(0, api.DirIncoming, "dave"))
	c.next(t)
	if fi, err := os.Stat(path); err != nil {
		t.Fatalf("the first record did not create the database: %v", err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the database is mode %v, want 0600: calls are the user's business", fi.Mode().Perm())
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.isRunning() { // no event says the owner has gone: poll the flag it clears
		if time.Now().After(deadline) {
			t.Fatal("the database is still open after the idle time")
		}
		time.Sleep(10 * time.Millisecond)
	}
	page, err := s.List(context.Background(), api.HistoryListArgs{})
	if err != nil || len(page.Calls) != 1 {
		t.Fatalf("after reopening: %+v, %v", page, err)
	}
}

// Close writes what is still queued, and refuses what comes after.
func TestCloseWritesTheQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s := New(Config{Path: path})
	for i := range 20 {
		s.Record(record(i%10, api.DirIncoming, "erin"))
	}
	s.Close()
	if _, err := s.List(context.Background(), api.HistoryListArgs{}); !errors.Is(err, api.ErrUnavailable) {
		t.Fatalf("List after Close = %v, want unavailable", err)
	}
	again := New(Config{Path: path})
	defer again.Close()
	page, err := again.List(context.Background(), api.HistoryListArgs{Limit: 100})
	if err != nil || len(page.Calls) != 20 {
		t.Fatalf("after Close and reopen: %d records, %v; want 20", len(page.Calls), err)
	}
}

// A database that cannot be opened fails requests with unavailable, and the next
// request tries again.
func TestUnopenableDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "history.db")
	s := New(Config{Path: path})
	defer s.Close()
	if _, err := s.List(context.Background(), api.HistoryListArgs{}); !errors.Is(err, api.ErrUnavailable) {
		t.Fatalf("List = %v, want unavailable", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "missing"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(context.Background(), api.HistoryListArgs{}); err != nil {
		t.Fatalf("List once the directory exists = %v", err)
	}
}
