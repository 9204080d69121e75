package sipstack

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestRegisterChallengeRefreshUnregister(t *testing.T) {
	for _, challenge := range []int{401, 407} {
		t.Run(strconv.Itoa(challenge), func(t *testing.T) {
			p := newPeer(t)
			p.set(func(p *peer) { p.password, p.challenge, p.grant = "secret", challenge, 60 })
			clock := newFakeClock()
			var traceMu sync.Mutex
			var traces []Trace
			st, rec := newTestStack(t, clock, func(tr Trace) { traceMu.Lock(); traces = append(traces, tr); traceMu.Unlock() })
			acc := Account{Server: p.hostPort(), Username: "alice", Password: "secret", DisplayName: `Al "A" ice`, RegisterInterval: 300}
			if err := st.SetAccount(acc); err != nil {
				t.Fatal(err)
			}
			if err := st.Register(); err != nil {
				t.Fatal(err)
			}

			first := p.expect(sip.REGISTER)
			if first.GetHeader("Authorization") != nil || first.GetHeader("Proxy-Authorization") != nil {
				t.Fatal("first REGISTER already carries credentials")
			}
			checkLocalAddressing(t, st, first)
			if got := first.From().Value(); !strings.Contains(got, `"Al \"A\" ice"`) {
				t.Errorf("From = %s, want the escaped display name", got)
			}
			if got := first.GetHeader("Expires").Value(); got != "300" {
				t.Errorf("Expires = %s, want 300", got)
			}
			authed := p.expect(sip.REGISTER)
			if authed.CSeq().SeqNo <= first.CSeq().SeqNo || authed.CallID().Value() != first.CallID().Value() {
				t.Errorf("retry must keep Call-ID and raise CSeq: %d -> %d", first.CSeq().SeqNo, authed.CSeq().SeqNo)
			}
			if ev := rec.reg(); ev.State != RegRegistering {
				t.Fatalf("event %+v, want registering", ev)
			}
			if ev := rec.reg(); ev.State != RegRegistered || ev.Expires != 60 || ev.Code != 200 {
				t.Fatalf("event %+v, want registered for 60 s", ev)
			}

			// The refresh is due at 85% of the 60 s granted.
			ft := clock.next(t)
			if ft.d != 51*time.Second {
				t.Fatalf("refresh timer %v, want 51s", ft.d)
			}
			ft.fire <- time.Now()
			refresh := p.expect(sip.REGISTER)
			p.expect(sip.REGISTER) // re-authenticated
			if refresh.CallID().Value() != first.CallID().Value() {
				t.Error("refresh changed the Call-ID")
			}
			if ev := rec.reg(); ev.State != RegRegistered {
				t.Fatalf("event %+v after refresh, want registered", ev)
			}

			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			if err := st.Unregister(ctx); err != nil {
				t.Fatalf("Unregister: %v", err)
			}
			unreg := p.expect(sip.REGISTER)
			if got := unreg.GetHeader("Expires").Value(); got != "0" {
				t.Fatalf("unregister Expires = %s, want 0", got)
			}
			p.expect(sip.REGISTER) // re-authenticated
			if ev := rec.reg(); ev.State != RegUnregistered || ev.Code != 200 {
				t.Fatalf("event %+v, want unregistered 200", ev)
			}

			traceMu.Lock()
			defer traceMu.Unlock()
			var sawAuth bool
			for _, tr := range traces {
				if strings.Contains(tr.Message, "response=") {
					t.Fatalf("trace leaks digest response:\n%s", tr.Message)
				}
				if tr.Dir == "send" && strings.Contains(tr.Message, "uthorization: Digest [redacted]") {
					sawAuth = true
				}
			}
			if !sawAuth {
				t.Error("no redacted credentials in the sent trace")
			}
		})
	}
}

// checkLocalAddressing asserts the gotcha of client ports: the request must
// leave from our listening port, announce it in Via (with rport) and Contact.
func checkLocalAddressing(t *testing.T, st *Stack, req *sip.Request) {
	t.Helper()
	if req.Source() != st.UDPAddr() {
		t.Errorf("request came from %s, want our listener %s", req.Source(), st.UDPAddr())
	}
	via := req.Via()
	if via.Port != st.udpLaddr.Port || !via.Params.Has("rport") {
		t.Errorf("Via %s: want port %d and rport", via.Value(), st.udpLaddr.Port)
	}
	if ct := req.Contact(); ct == nil || ct.Address.Port != st.udpLaddr.Port {
		t.Errorf("Contact %v: want port %d", ct, st.udpLaddr.Port)
	}
}

func TestRegisterWrongPassword(t *testing.T) {
	for _, wrong := range []int{401, 403} {
		t.Run(strconv.Itoa(wrong), func(t *testing.T) {
			p := newPeer(t)
			p.set(func(p *peer) { p.password, p.wrongCode = "secret", wrong })
			clock := newFakeClock()
			st, rec := newTestStack(t, clock, nil)
			if err := st.SetAccount(Account{Server: p.hostPort(), Username: "alice", Password: "nope"}); err != nil {
				t.Fatal(err)
			}
			if err := st.Register(); err != nil {
				t.Fatal(err)
			}
			rec.reg() // registering
			ev := rec.reg()
			if ev.State != RegFailed || ev.Code != wrong || ev.Retry != 2*time.Second {
				t.Fatalf("event %+v, want failed %d retry 2s", ev, wrong)
			}
			ft := clock.next(t)
			if ft.d != 2*time.Second {
				t.Fatalf("retry timer %v, want 2s", ft.d)
			}
			ft.fire <- time.Now()
			rec.reg() // registering again
			if ev := rec.reg(); ev.State != RegFailed || ev.Retry != 4*time.Second {
				t.Fatalf("second failure %+v, want retry 4s", ev)
			}
			if ft := clock.next(t); ft.d != 4*time.Second {
				t.Fatalf("second retry timer %v, want 4s", ft.d)
			}
		})
	}
}

func TestRegisterIntervalTooBrief(t *testing.T) {
	p := newPeer(t)
	p.set(func(p *peer) { p.minExpires = 120 })
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	if err := st.SetAccount(Account{Server: p.hostPort(), Username: "alice", RegisterInterval: 60}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	if got := p.expect(sip.REGISTER).GetHeader("Expires").Value(); got != "60" {
		t.Fatalf("first Expires %s, want 60", got)
	}
	if got := p.expect(sip.REGISTER).GetHeader("Expires").Value(); got != "120" {
		t.Fatalf("retry Expires %s, want Min-Expires 120", got)
	}
	rec.reg() // registering
	if ev := rec.reg(); ev.State != RegRegistered || ev.Expires != 120 {
		t.Fatalf("event %+v, want registered 120", ev)
	}
	if ft := clock.next(t); ft.d != 102*time.Second {
		t.Fatalf("refresh timer %v, want 102s", ft.d)
	}
}

func TestRegisterNoAnswerFails(t *testing.T) {
	// A TCP port with nothing listening: the connection is refused.
	st, rec := newTestStack(t, newFakeClock(), nil)
	other, _ := newTestStack(t, nil, nil)
	addr := other.TCPAddr()
	other.Close()
	if err := st.SetAccount(Account{Server: addr, Username: "alice", Transport: "tcp"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	rec.reg() // registering
	if ev := rec.reg(); ev.State != RegFailed || ev.Code != 0 || ev.Reason == "" {
		t.Fatalf("event %+v, want failed with a transport reason", ev)
	}
}

func TestRegisterWithoutAccount(t *testing.T) {
	st, _ := newTestStack(t, nil, nil)
	if err := st.Register(); err != ErrNoAccount {
		t.Fatalf("Register without account: %v, want ErrNoAccount", err)
	}
	if err := st.SetAccount(Account{Server: "127.0.0.1:5060"}); err == nil {
		t.Fatal("account without username accepted")
	}
}
