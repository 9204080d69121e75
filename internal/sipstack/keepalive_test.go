package sipstack

import (
	"log/slog"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// newKeepAliveStack starts a stack on 127.0.0.1 sending keep-alives every interval of
// clock.
func newKeepAliveStack(t *testing.T, clock Clock, interval time.Duration) (*Stack, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", OnEvent: rec.on, Clock: clock, KeepAlive: interval,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

// registered registers st's account and waits for the answer, returning the
// registration's refresh timer.
func registered(t *testing.T, st *Stack, rec *recorder, clock *fakeClock, acc Account) fakeTimer {
	t.Helper()
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	for ev := rec.reg(); ev.State != RegRegistered; ev = rec.reg() {
		if ev.State == RegFailed {
			t.Fatalf("registration failed: %+v", ev)
		}
	}
	return clock.next(t)
}

func TestKeepAliveOnUDPIsACRLFToTheRegistrarEveryInterval(t *testing.T) {
	p := newPeer(t)
	clock := newFakeClock()
	st, rec := newKeepAliveStack(t, clock, 7*time.Second)
	registered(t, st, rec, clock, Account{Server: p.hostPort(), Username: "alice"})
	p.expect(sip.REGISTER)

	for range 2 {
		tick := clock.next(t)
		if tick.d != 7*time.Second {
			t.Fatalf("keep-alive timer %v, want the 7s interval", tick.d)
		}
		tick.fire <- time.Now()
		ka := p.expectKeepAlive()
		if ka.transport != "udp" || ka.data != "\r\n" || ka.from != st.UDPAddr() {
			t.Fatalf("keep-alive %+v, want a CRLF datagram from our listener %s", ka, st.UDPAddr())
		}
	}
	select {
	case r := <-p.reqs:
		t.Fatalf("a keep-alive with nothing wrong sent %s", r.Method)
	default:
	}
}

func TestKeepAliveOnTCPWithoutPongRegistersAgain(t *testing.T) {
	p := newPeer(t)
	clock := newFakeClock()
	st, rec := newKeepAliveStack(t, clock, 7*time.Second)
	registered(t, st, rec, clock, Account{Server: p.tcpHostPort(), Username: "alice", Transport: "tcp"})
	p.expect(sip.REGISTER)

	// Answered: the pong ends the wait before its timer fires, and the next ping is due.
	clock.next(t).fire <- time.Now()
	if ka := p.expectKeepAlive(); ka.transport != "tcp" || ka.data != "\r\n\r\n" {
		t.Fatalf("keep-alive %+v, want a CRLFCRLF ping on TCP", ka)
	}
	if pong := clock.next(t); pong.d != pongTimeout {
		t.Fatalf("timer %v after the ping, want the pong timeout", pong.d)
	}
	next := clock.next(t)
	if next.d != 7*time.Second {
		t.Fatalf("timer %v after the pong, want the next keep-alive", next.d)
	}

	// Unanswered: when the pong timeout passes, the stack registers again at once.
	p.set(func(p *peer) { p.noPong = true })
	next.fire <- time.Now()
	p.expectKeepAlive()
	pong := clock.next(t)
	if pong.d != pongTimeout {
		t.Fatalf("timer %v after the ping, want the pong timeout", pong.d)
	}
	pong.fire <- time.Now()
	if r := p.expect(sip.REGISTER); r.GetHeader("Expires").Value() == "0" {
		t.Fatal("the stack unregistered instead of registering again")
	}
	if ev := rec.reg(); ev.State != RegRegistered {
		t.Fatalf("event %+v, want registered again", ev)
	}
}
