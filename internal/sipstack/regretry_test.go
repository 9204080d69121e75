package sipstack

import (
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// scriptedRegistrar is a registrar on a bare UDP socket: answer makes the response
// to each REGISTER it reads, or nil to stay silent.
type scriptedRegistrar struct {
	conn *net.UDPConn
	seen chan *sip.Request
}

func newScriptedRegistrar(t *testing.T, answer func(req *sip.Request) *sip.Response) *scriptedRegistrar {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	r := &scriptedRegistrar{conn: conn, seen: make(chan *sip.Request, 16)}
	done := make(chan struct{})
	t.Cleanup(func() { conn.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			msg, err := sip.ParseMessage(buf[:n])
			req, ok := msg.(*sip.Request)
			if err != nil || !ok {
				continue
			}
			r.seen <- req
			if res := answer(req); res != nil {
				_, _ = conn.WriteToUDP([]byte(res.String()), from)
			}
		}
	}()
	return r
}

func (r *scriptedRegistrar) hostPort() string { return r.conn.LocalAddr().String() }

// TestRegisterRetryAfter: a 503 or 500 naming Retry-After is followed by a wait of
// just that long, not the 2 s backoff.
func TestRegisterRetryAfter(t *testing.T) {
	for _, code := range []int{503, 500} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			reg := newScriptedRegistrar(t, func(req *sip.Request) *sip.Response {
				res := sip.NewResponseFromRequest(req, code, "Unavailable", nil)
				res.AppendHeader(sip.NewHeader("Retry-After", "120;duration=3600"))
				return res
			})
			clock := newFakeClock()
			st, rec := newTestStack(t, clock, nil)
			if err := st.SetAccount(Account{Server: reg.hostPort(), Username: "alice"}); err != nil {
				t.Fatal(err)
			}
			if err := st.Register(); err != nil {
				t.Fatal(err)
			}
			rec.reg() // registering
			if ev := rec.reg(); ev.State != RegFailed || ev.Code != code || ev.Retry != 120*time.Second {
				t.Fatalf("event %+v, want failed %d retry 120s", ev, code)
			}
			if ft := clock.next(t); ft.d != 120*time.Second {
				t.Fatalf("retry timer %v, want the Retry-After's 120s", ft.d)
			}
		})
	}
}

// TestRegisterSilentRegistrar: a registrar that never answers gets retries that back
// off (2 s, 4 s, 8 s, ...) and come 0 to 20 % early, never later.
func TestRegisterSilentRegistrar(t *testing.T) {
	reg := newScriptedRegistrar(t, func(*sip.Request) *sip.Response { return nil })
	clock := newFakeClock()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", OnEvent: rec.on, Clock: clock,
		RegisterTimeout: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SetAccount(Account{Server: reg.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Register(); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for n := 1; n <= 4; n++ {
		if ev := rec.reg(); ev.State != RegRegistering {
			t.Fatalf("attempt %d: event %+v, want registering", n, ev)
		}
		ev := rec.reg()
		full := backoff(n)
		if ev.State != RegFailed || ev.Code != 408 || ev.Retry > full || ev.Retry < full*80/100 {
			t.Fatalf("attempt %d: event %+v, want failed 408, retry within [%v, %v]", n, ev, full*80/100, full)
		}
		ft := clock.next(t)
		if ft.d != ev.Retry {
			t.Fatalf("attempt %d: timer %v, event says %v", n, ft.d, ev.Retry)
		}
		waits = append(waits, ft.d)
		ft.fire <- time.Now()
	}
	if waits[0] == 2*time.Second && waits[1] == 4*time.Second && waits[2] == 8*time.Second && waits[3] == 16*time.Second {
		t.Errorf("waits %v: no jitter at all", waits)
	}
	select {
	case <-reg.seen:
	default:
		t.Error("the registrar saw no REGISTER")
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"120": 120 * time.Second, "18000;duration=3600": 5 * time.Hour, "30 (lunch)": 30 * time.Second,
		"soon": 0, "-5": 0, "": 0,
	} {
		res := sip.NewResponse(503, "Service Unavailable")
		if v != "" {
			res.AppendHeader(sip.NewHeader("Retry-After", v))
		}
		if got := retryAfter(res); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}

func TestNextRegStepRetryAfter(t *testing.T) {
	if got := nextRegStep(regOutcome{Code: 503, RetryAfter: 5 * time.Hour}, 300, 0).Wait; got != maxRetryAfter {
		t.Errorf("Retry-After 5h: wait %v, want the cap %v", got, maxRetryAfter)
	}
	if got := nextRegStep(regOutcome{Code: 486, RetryAfter: time.Minute}, 300, 0).Wait; got != firstBackoff {
		t.Errorf("Retry-After on a 486: wait %v, want the backoff %v", got, firstBackoff)
	}
}
