package testpeer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// fakeBaresip is the far end of a ctrl_tcp connection, driven by the test.
type fakeBaresip struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newFakeBaresip(t *testing.T) (*ctrlConn, *fakeBaresip) {
	client, server := net.Pipe()
	c := newCtrlConn(client)
	t.Cleanup(c.close)
	t.Cleanup(func() { server.Close() })
	return c, &fakeBaresip{t: t, conn: server, r: bufio.NewReader(server)}
}

// request reads one command.
func (f *fakeBaresip) request() (cmd, params, token string) {
	p, err := readNetstring(f.r)
	if err != nil {
		f.t.Errorf("fake baresip read: %v", err)
		return
	}
	var req struct{ Command, Params, Token string }
	if err := json.Unmarshal(p, &req); err != nil {
		f.t.Errorf("fake baresip got %q: %v", p, err)
	}
	return req.Command, req.Params, req.Token
}

func (f *fakeBaresip) send(format string, args ...any) {
	if err := writeNetstring(f.conn, fmt.Appendf(nil, format, args...)); err != nil {
		f.t.Errorf("fake baresip write: %v", err)
	}
}

func (f *fakeBaresip) respond(token string, ok bool, data string) {
	f.send(`{"response":true,"ok":%t,"data":%q,"token":%q}`, ok, data, token)
}

func (f *fakeBaresip) event(typ, param string) {
	f.send(`{"event":true,"type":%q,"class":"call","param":%q}`, typ, param)
}

func TestCtrlMatchesResponsesByToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, fake := newFakeBaresip(t)
		go func() {
			// Answer two concurrent commands in reverse order, with an
			// event pushed in between, as baresip interleaves them.
			_, p1, tok1 := fake.request()
			_, p2, tok2 := fake.request()
			fake.respond(tok2, true, "reply to "+p2)
			fake.event(EventCallIncoming, "")
			fake.respond(tok1, true, "reply to "+p1)
		}()
		results := make(chan string, 2)
		for _, p := range []string{"a", "b"} {
			go func() {
				data, err := c.command("dial", p)
				if err != nil {
					t.Errorf("dial %s: %v", p, err)
				}
				results <- p + "=" + data
			}()
			synctest.Wait() // the first request is written before the second
		}
		got := map[string]bool{<-results: true, <-results: true}
		for _, want := range []string{"a=reply to a", "b=reply to b"} {
			if !got[want] {
				t.Errorf("results %v lack %q", got, want)
			}
		}
		if ev, ok := c.next(EventCallIncoming, time.Second); !ok || ev.Class != "call" {
			t.Errorf("event between responses: %+v, %v", ev, ok)
		}
	})
}

func TestCtrlCommandErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, fake := newFakeBaresip(t)
		go func() {
			_, _, tok := fake.request()
			fake.respond(tok, false, "command not found (x)")
			fake.request() // never answered
			_, _, _ = fake.request()
			fake.conn.Close()
		}()

		_, err := c.command("x", "")
		var cmdErr *CommandError
		if !errors.As(err, &cmdErr) || cmdErr.Data != "command not found (x)" {
			t.Errorf("ok:false: err = %v, want a *CommandError", err)
		}
		if _, err := c.command("hangup", ""); !errors.Is(err, ErrCommandTimeout) {
			t.Errorf("unanswered: err = %v, want ErrCommandTimeout", err)
		}
		if _, err := c.command("hangup", ""); !errors.Is(err, ErrCtrlClosed) {
			t.Errorf("closed while waiting: err = %v, want ErrCtrlClosed", err)
		}
		if _, err := c.command("hangup", ""); !errors.Is(err, ErrCtrlClosed) {
			t.Errorf("after close: err = %v, want ErrCtrlClosed", err)
		}
	})
}

func TestCtrlNextReturnsEachEventOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, fake := newFakeBaresip(t)
		fake.event(EventCallDTMFStart, "1")
		fake.event(EventCallDTMFEnd, "")
		fake.send(`not json`)
		fake.event(EventCallDTMFStart, "2")
		synctest.Wait()

		for _, want := range []string{"1", "2"} {
			ev, ok := c.next(EventCallDTMFStart, time.Second)
			if !ok || ev.Param != want {
				t.Fatalf("next DTMF start = %+v, %v; want param %q", ev, ok, want)
			}
		}
		if ev, ok := c.next(EventCallDTMFStart, time.Second); ok {
			t.Errorf("a third DTMF start: %+v", ev)
		}
		go fake.event(EventCallDTMFStart, "3")
		if ev, ok := c.next(EventCallDTMFStart, time.Minute); !ok || ev.Param != "3" {
			t.Errorf("waiting for a later event: %+v, %v", ev, ok)
		}
		if got := len(c.snapshot()); got != 4 {
			t.Errorf("snapshot has %d events, want 4", got)
		}
		fake.conn.Close()
		synctest.Wait()
		if _, ok := c.next(EventCallClosed, time.Minute); ok {
			t.Error("next after the connection closed returned an event")
		}
	})
}
