package testpeer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	eventTimeout = 5 * time.Second
	toneHz       = 700
)

// assertToneWAV checks that a WAV dump holds at least minSeconds of a tone
// near toneHz at a level well above silence.
func assertToneWAV(t *testing.T, path string, minSeconds float64) {
	t.Helper()
	st := readWAVStats(t, path)
	if got := float64(st.samples) / 8000; got < minSeconds {
		t.Errorf("%s: %.2f s of audio, want at least %.2f s", path, got, minSeconds)
	}
	if st.peak < 8000 {
		t.Errorf("%s: peak %d, want a half-scale tone (about 16384)", path, st.peak)
	}
	if math.Abs(st.hz-toneHz) > toneHz/10 {
		t.Errorf("%s: tone of about %.0f Hz, want %d Hz", path, st.hz, toneHz)
	}
}

// decodedWAV returns the one dump-*-dec.wav baresip recorded.
func decodedWAV(t *testing.T, b *Baresip) string {
	t.Helper()
	var dec []string
	for _, w := range b.RecordedWAVs() {
		if strings.HasSuffix(w, "-dec.wav") {
			dec = append(dec, w)
		}
	}
	if len(dec) != 1 {
		t.Fatalf("want one decoded dump, have %v", b.RecordedWAVs())
	}
	return dec[0]
}

func TestBaresipDirectCallWithDTMF(t *testing.T) {
	t.Parallel()
	tone := toneWAV(t, 30, toneHz)
	bob := StartBaresip(t, BaresipOptions{User: "bob", AutoAnswer: true, SourceWAV: tone, Record: true})
	carol := StartBaresip(t, BaresipOptions{User: "carol", SourceWAV: tone})

	carol.Dial(t, bob.URI)
	incoming := bob.WaitEvent(t, EventCallEstablished, eventTimeout)
	if incoming.Direction != "incoming" || incoming.PeerURI != carol.URI {
		t.Errorf("bob's call: direction %q peer %q, want incoming from %q", incoming.Direction, incoming.PeerURI, carol.URI)
	}
	carol.WaitEvent(t, EventCallEstablished, eventTimeout)
	carol.SendDTMF(t, "1*3")
	for range 3 {
		bob.WaitEvent(t, EventCallDTMFEnd, eventTimeout)
	}
	if got := bob.DTMFReceived(); got != "1*3" {
		t.Errorf("bob received DTMF %q, want %q", got, "1*3")
	}
	carol.Hangup(t)
	closed := bob.WaitEvent(t, EventCallClosed, eventTimeout)
	if closed.ID != incoming.ID {
		t.Errorf("closed call id %q, want %q", closed.ID, incoming.ID)
	}
	assertToneWAV(t, decodedWAV(t, bob), 0.2)
	if got := carol.RecordedWAVs(); len(got) != 0 {
		t.Errorf("carol records without Record: %v", got)
	}
}

func TestBaresipCommandErrors(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{SourceWAV: toneWAV(t, 1, toneHz)})
	_, err := b.Command(t, "no-such-command", "")
	var cmdErr *CommandError
	if !errors.As(err, &cmdErr) || cmdErr.Command != "no-such-command" {
		t.Fatalf("unknown command: err = %v, want a *CommandError", err)
	}
	if _, err := b.Command(t, "reginfo", ""); err != nil {
		t.Fatalf("reginfo after a failed command: %v", err)
	}
}

func TestBaresipCallThroughKamailioWithAuth(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret-a", "bob": "secret-b"}})
	tone := toneWAV(t, 30, toneHz)
	alice := StartBaresip(t, BaresipOptions{User: "alice", Password: "secret-a", Registrar: k.Addr, SourceWAV: tone})
	bob := StartBaresip(t, BaresipOptions{User: "bob", Password: "secret-b", Registrar: k.Addr,
		AutoAnswer: true, SourceWAV: tone, Record: true})
	alice.WaitRegistered(t, eventTimeout)
	bob.WaitRegistered(t, eventTimeout)
	contacts := k.Contacts(t)
	for _, user := range []string{"alice", "bob"} {
		if !strings.Contains(contacts, "AoR: "+user) {
			t.Fatalf("kamailio has no contact for %s:\n%s", user, contacts)
		}
	}

	alice.Dial(t, bob.URI)
	bob.WaitEvent(t, EventCallEstablished, eventTimeout)
	alice.WaitEvent(t, EventCallEstablished, eventTimeout)
	alice.SendDTMF(t, "123")
	for range 3 {
		bob.WaitEvent(t, EventCallDTMFEnd, eventTimeout)
	}
	if got := bob.DTMFReceived(); got != "123" {
		t.Errorf("bob received DTMF %q, want %q", got, "123")
	}
	bob.Hangup(t) // the BYE follows the recorded route back through kamailio
	alice.WaitEvent(t, EventCallClosed, eventTimeout)
	assertToneWAV(t, decodedWAV(t, bob), 0.2)
}

func TestBaresipWrongPasswordIsRejected(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret"}})
	alice := StartBaresip(t, BaresipOptions{User: "alice", Password: "wrong", Registrar: k.Addr, SourceWAV: toneWAV(t, 1, toneHz)})
	alice.WaitRegisterFailed(t, eventTimeout)
	if contacts := k.Contacts(t); strings.Contains(contacts, "AoR: alice") {
		t.Errorf("kamailio registered alice with a wrong password:\n%s", contacts)
	}
}

func TestBaresipManualAnswer(t *testing.T) {
	t.Parallel()
	tone := toneWAV(t, 30, toneHz)
	bob := StartBaresip(t, BaresipOptions{User: "bob", SourceWAV: tone})
	carol := StartBaresip(t, BaresipOptions{User: "carol", SourceWAV: tone})
	carol.Dial(t, bob.URI)
	bob.WaitEvent(t, EventCallIncoming, eventTimeout)
	carol.WaitEvent(t, EventCallRinging, eventTimeout)
	bob.Accept(t)
	carol.WaitEvent(t, EventCallEstablished, eventTimeout)
	bob.Hangup(t)
	carol.WaitEvent(t, EventCallClosed, eventTimeout)
}

func TestStartBaresipReportsATakenPort(t *testing.T) {
	t.Parallel()
	bin := Need(t, "baresip")
	opts := BaresipOptions{User: "bob", SourceWAV: toneWAV(t, 1, toneHz)}
	// Another baresip holds both ports: the SIP bind fails, and its
	// ctrl_tcp, reached instead, must not be taken for this one's.
	other := StartBaresip(t, BaresipOptions{User: "other", SourceWAV: opts.SourceWAV})
	otherSIP := mustPort(t, other.SIPAddr)
	if _, err := startBaresip(t, bin, opts, otherSIP, FreePort(t)); !errors.Is(err, errPortTaken) {
		t.Errorf("SIP port taken: %v, want errPortTaken", err)
	}
	squatter, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	go func() { // answer like a baresip that is not ours
		conn, err := squatter.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, _ := readNetstring(bufio.NewReader(conn))
		var cmd struct{ Token string }
		_ = json.Unmarshal(req, &cmd)
		_ = writeNetstring(conn, fmt.Appendf(nil, `{"response":true,"ok":true,"data":"sip:other@x","token":%q}`, cmd.Token))
	}()
	ctrl := squatter.Addr().(*net.TCPAddr).Port
	if _, err := startBaresip(t, bin, opts, FreePort(t), ctrl); !errors.Is(err, errPortTaken) {
		t.Errorf("ctrl port taken: %v, want errPortTaken", err)
	}
}

func mustPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
