package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

func regState(want string) func(json.RawMessage) bool {
	return func(d json.RawMessage) bool {
		var st api.RegState
		json.Unmarshal(d, &st)
		return st.State == want
	}
}

// The engine registers to kamailio with digest auth over the WebSocket API; a wrong
// password is reported as failed with the registrar's code; unregister removes the
// contact.
// alicePassword is distinctive, so that finding it in a log or trace means a leak.
const alicePassword = "Pw-4lice-x9q"

func TestRegisterWithDigestAuth(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": alicePassword}})
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	if c.hello.Protocol != api.ProtocolVersion || c.hello.Snapshot.Registration.State != api.RegUnregistered {
		t.Fatalf("hello %+v", c.hello)
	}

	var acc api.Account
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": alicePassword, "register": true}, &acc)
	if !acc.HasPassword || strings.Contains(string(mustJSON(acc)), alicePassword) {
		t.Fatalf("account.set result leaks or lacks the password: %+v", acc)
	}
	var st api.RegState
	json.Unmarshal(c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered)), &st)
	if st.Code != 200 || st.Expires <= 0 {
		t.Errorf("registered %+v", st)
	}
	if contacts := kam.Contacts(t); !strings.Contains(contacts, "alice") {
		t.Errorf("kamailio has no contact for alice:\n%s", contacts)
	}

	c.mustDo(api.CmdUnregister.Name, nil, nil)
	c.next(api.EvRegState, 10*time.Second, regState(api.RegUnregistered))
	if contacts := kam.Contacts(t); strings.Contains(contacts, "alice") {
		t.Errorf("contact still there after unregister:\n%s", contacts)
	}

	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"password": "wrong"}, nil)
	// collect until the failure: SIP traces must show the REGISTER with its credentials
	// redacted, and no log event may arrive on a connection that did not ask for them
	var traces []api.SIPTrace
	for st.State != api.RegFailed {
		select {
		case ev := <-c.events:
			switch ev.Event {
			case api.EvLog:
				t.Fatalf("log event on a connection subscribed to sipTrace only: %s", ev.Data)
			case api.EvSIPTrace:
				var tr api.SIPTrace
				json.Unmarshal(ev.Data, &tr)
				traces = append(traces, tr)
			case api.EvRegState:
				json.Unmarshal(ev.Data, &st)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no failed registration; last %+v", st)
		}
	}
	if st.Code != 401 && st.Code != 403 {
		t.Errorf("wrong password: %+v, want code 401 or 403", st)
	}
	authorized := 0
	for _, tr := range traces {
		for line := range strings.Lines(tr.Message) {
			if strings.HasPrefix(strings.ToLower(line), "authorization:") {
				authorized++
				if strings.Contains(line, "response=") || strings.Contains(line, "nonce=") {
					t.Errorf("trace shows credentials: %q", line)
				}
			}
		}
	}
	if authorized == 0 {
		t.Errorf("no REGISTER with Authorization among %d traces", len(traces))
	}
	if strings.Contains(e.logText(), alicePassword) {
		t.Error("the password appears in the engine log")
	}
	// The account file keeps everything but the password, which sits in the OS
	// keyring or, without one, in an owner-only secrets file.
	if data, err := os.ReadFile(filepath.Join(e.dataDir, "account.json")); err != nil || strings.Contains(string(data), alicePassword) {
		t.Errorf("account.json (%v) holds the password: %s", err, data)
	}
	if fi, err := os.Stat(filepath.Join(e.dataDir, "secrets.json")); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets.json has mode %v, want 0600", fi.Mode().Perm())
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Over TCP: the registration reaches kamailio's TCP listener and the contact says so.
func TestRegisterOverTCP(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret"}})
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "transport": "tcp", "register": true}, nil)
	var st api.RegState
	json.Unmarshal(c.next(api.EvRegState, 10*time.Second, func(d json.RawMessage) bool {
		json.Unmarshal(d, &st)
		return st.State == api.RegRegistered || st.State == api.RegFailed
	}), &st)
	if st.State != api.RegRegistered {
		t.Fatalf("tcp registration %+v", st)
	}
	if contacts := kam.Contacts(t); !strings.Contains(strings.ToLower(contacts), "transport=tcp") {
		t.Errorf("contact is not a TCP one:\n%s", contacts)
	}
}
