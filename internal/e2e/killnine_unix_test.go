//go:build unix

package e2e

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

// TestStateSurvivesSIGKILL kills and restarts the engine until enough changes went
// through to prove something (a count, not a time, so that a loaded machine proves as
// much as an idle one), and gives up after killLoopCap.
const (
	killRounds    = 300
	killAckedSets = 40
	killPaired    = 8
	killLoopCap   = 150 * time.Second

	configRTPTimeout = 30 // the test config's settings.rtpTimeout (engine_test.go)
)

// TestStateSurvivesSIGKILL changes the account (with a new password each time), pairs
// sites and changes settings over the API while SIGKILL cuts the engine at random
// points, during its start too, and restarts it each time. After every start the data
// directory must hold whole files only, the last acknowledged account or the one in
// flight, never a mix (the password kept is that account's), every acknowledged
// pairing, the last acknowledged settings or those in flight, in force after the
// restart, no temporary file and no password but the current one, in secrets.json
// (diskstate_unix_test.go).
func TestStateSurvivesSIGKILL(t *testing.T) {
	e := startEngine(t, engineOptions{})
	e.stop(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the last engine's log:\n%s", e.logText())
		}
	})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
	h := &history{acked: -1, inflight: -1}
	var rounds, cutAtStart int
	enough := func() bool {
		return rounds >= killRounds && h.ackedSets >= killAckedSets && len(h.paired) >= killPaired
	}
	for end := time.Now().Add(killLoopCap); !enough() && time.Now().Before(end); rounds++ {
		if rng.IntN(8) == 0 {
			cutAtStart++
			e = relaunch(t, e)
			time.AfterFunc(time.Duration(rng.IntN(60))*time.Millisecond, e.kill)
			<-e.exited
			continue
		}
		e = relaunch(t, e)
		if !e.waitLog(10*time.Second, "wpservice ready") {
			t.Fatalf("engine did not come up:\n%s", e.logText())
		}
		user := h.check(t, e.dataDir)
		time.AfterFunc(time.Duration(rng.IntN(50))*time.Millisecond, e.kill)
		h.drive(t, e, rng, user)
		<-e.exited
	}
	e = relaunch(t, e)
	if !e.waitLog(10*time.Second, "wpservice ready") {
		t.Fatalf("engine did not come up:\n%s", e.logText())
	}
	h.check(t, e.dataDir)
	t.Logf("%d kills (%d during start): %d accounts set (%d acknowledged), %d sites paired, %d settings changed",
		rounds, cutAtStart, len(h.accounts), h.ackedSets, len(h.paired), h.settings)
	if !enough() {
		t.Fatalf("too few changes went through in %s to prove anything", killLoopCap)
	}
}

// relaunch starts the binary again on old's config and data directory, old having exited.
func relaunch(t *testing.T, old *engine) *engine {
	t.Helper()
	e := &engine{port: old.port, sipPort: old.sipPort, dataDir: old.dataDir, cfgPath: old.cfgPath,
		outWAV: old.outWAV, exited: make(chan error, 1)}
	e.cmd = exec.Command(binary, "run", "--config", e.cfgPath)
	// No OS keyring: passwords go to secrets.json, where the test can read them.
	e.cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	e.cmd.Stdout, e.cmd.Stderr = e, e
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { e.exited <- e.cmd.Wait() }()
	t.Cleanup(func() { e.stop(t) })
	return e
}

// kill sends SIGKILL to the engine process the test started.
func (e *engine) kill() { _ = e.cmd.Process.Signal(syscall.SIGKILL) }

// drive sends account, pairing and settings changes to e until it dies, recording
// what it acknowledged. It first checks that the engine loaded the account on disk.
func (h *history) drive(t *testing.T, e *engine, rng *rand.Rand, onDisk string) {
	t.Helper()
	c, err := dialAdmin(e)
	if err != nil {
		return // killed already
	}
	defer c.Close()
	var acc api.Account
	if r, err := call(c, api.CmdAccountGet.Name, nil); err != nil {
		return
	} else if json.Unmarshal(r.Result, &acc); acc.Username != onDisk || acc.HasPassword != (onDisk != "") {
		t.Fatalf("the engine loaded %+v, the account on disk is %q", acc, onDisk)
	}
	var set api.Settings
	if r, err := call(c, api.CmdSettingsGet.Name, nil); err != nil {
		return
	} else if json.Unmarshal(r.Result, &set); set.RTPTimeout != cmp.Or(h.rtpAcked, configRTPTimeout) {
		t.Fatalf("the engine runs with rtpTimeout %d, settings.json holds %d", set.RTPTimeout, h.rtpAcked)
	}
	for {
		switch rng.IntN(4) {
		case 0, 1:
			n := len(h.accounts)
			a := testAccount{user: fmt.Sprintf("user%d", n), password: fmt.Sprintf("pw-%d-%x", n, rng.Uint64())}
			h.accounts, h.inflight = append(h.accounts, a), n
			r, err := call(c, api.CmdAccountSet.Name, map[string]any{
				"server": "127.0.0.1:5999", "username": a.user, "password": a.password, "register": false})
			if err != nil {
				return
			}
			if !r.OK {
				t.Fatalf("account.set: %+v", r.Error)
			}
			h.acked, h.inflight, h.ackedSets = n, -1, h.ackedSets+1
		case 2:
			if !h.pair(t, e, c, fmt.Sprintf("https://site%d.example.com", len(h.paired)+h.pairTries)) {
				return
			}
		case 3:
			v := 31 + rng.IntN(60) // never the config's
			h.rtpInflight = v
			r, err := call(c, api.CmdSettingsSet.Name, map[string]any{"rtpTimeout": v})
			if err != nil {
				return
			}
			if !r.OK {
				t.Fatalf("settings.set: %+v", r.Error)
			}
			h.settings, h.rtpAcked, h.rtpInflight = h.settings+1, v, 0
		}
	}
}

// pair has a page on origin ask to pair and approves it over admin; it reports false
// when the engine died.
func (h *history) pair(t *testing.T, e *engine, admin *websocket.Conn, origin string) bool {
	t.Helper()
	h.pairTries++
	page, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", e.port), http.Header{"Origin": {origin}})
	if err != nil {
		return false
	}
	defer page.Close()
	r, err := call(page, api.CmdAuth.Name, api.AuthArgs{})
	if err != nil {
		return false
	}
	if r.Error == nil || r.Error.Code != api.CodePairingRequired {
		t.Fatalf("auth of an unknown origin: %+v", r)
	}
	h.inflightOrigin = origin
	if r, err = call(admin, api.CmdPairApprove.Name, api.OriginArgs{Origin: origin}); err != nil {
		return false
	}
	if !r.OK {
		t.Fatalf("pair.approve: %+v", r.Error)
	}
	h.paired, h.inflightOrigin = append(h.paired, origin), ""
	return true
}

// dialAdmin opens the API with the token, as a local program does.
func dialAdmin(e *engine) (*websocket.Conn, error) {
	tok, err := os.ReadFile(e.dataDir + "/token")
	if err != nil {
		return nil, err
	}
	c, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", e.port),
		http.Header{"Authorization": {"Bearer " + string(tok)}})
	return c, err
}

// call sends cmd and returns its response, skipping events; an error means the
// connection broke.
func call(c *websocket.Conn, cmd string, args any) (response, error) {
	if args == nil {
		args = struct{}{}
	}
	data, err := json.Marshal(args)
	if err != nil {
		return response{}, err
	}
	if err := c.WriteJSON(api.Request{ID: cmd, Cmd: cmd, Args: data}); err != nil {
		return response{}, err
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m struct {
			response
			Event string `json:"event"`
		}
		if err := c.ReadJSON(&m); err != nil {
			return response{}, err
		}
		if m.Event == "" && m.ID == cmd {
			return m.response, nil
		}
		if m.Event == "" {
			return response{}, errors.New("a response to another request: " + m.ID)
		}
	}
}
