package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

const crm = "https://crm.example.com"

// page is a WebSocket opened the way a browser page on origin opens it.
type page struct {
	t    *testing.T
	conn *websocket.Conn
}

func (e *engine) openPage(t *testing.T, origin string) *page {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", e.port), http.Header{"Origin": {origin}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("page on %s: %v (status %d)", origin, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return &page{t: t, conn: conn}
}

// message is any server message.
type message struct {
	response
	event
}

func (p *page) read() message {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m message
	if err := p.conn.ReadJSON(&m); err != nil {
		p.t.Fatalf("page read: %v", err)
	}
	return m
}

func (p *page) auth(token string) message {
	p.t.Helper()
	args, _ := json.Marshal(api.AuthArgs{Token: token})
	if err := p.conn.WriteJSON(api.Request{ID: "auth", Cmd: api.CmdAuth.Name, Args: args}); err != nil {
		p.t.Fatal(err)
	}
	return p.read()
}

// closeCode reads until the engine closes the page and returns the code.
func (p *page) closeCode() int {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m message
		err := p.conn.ReadJSON(&m)
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce.Code
		}
		if err != nil {
			p.t.Fatalf("page ended without a close frame: %v", err)
		}
	}
}

// wpservice runs the CLI against the engine's config and returns its output.
func (e *engine) cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--config", e.cfgPath)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestPairingThroughTheCLI is the whole life of an approved site, over the real
// binary: a page asks, the user approves with `wpservice pair approve`, the page
// gets its token and the snapshot at once, comes back later with the token, and is
// thrown out when the user revokes it.
func TestPairingThroughTheCLI(t *testing.T) {
	e := startEngine(t, engineOptions{})
	sock := filepath.Join(e.dataDir, "admin.sock")
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("admin socket %s: %v %v, want an owner-only socket", sock, fi, err)
	}

	p := e.openPage(t, crm)
	m := p.auth("")
	if m.OK || m.Error == nil || m.Error.Code != api.CodePairingRequired {
		t.Fatalf("unknown origin's auth: %+v", m)
	}
	out, err := e.cli(t, "pair", "list")
	if err != nil || !strings.Contains(out, crm) || !strings.Contains(out, "waiting") {
		t.Fatalf("pair list: %v\n%s", err, out)
	}
	if out, err := e.cli(t, "pair", "approve", crm); err != nil {
		t.Fatalf("pair approve: %v\n%s", err, out)
	}
	m = p.read()
	var paired api.Paired
	if m.Event != api.EvPaired || json.Unmarshal(m.Data, &paired) != nil || len(paired.Token) != 64 {
		t.Fatalf("after approval the page got %+v", m)
	}
	if m = p.read(); m.Event != api.EvHello {
		t.Fatalf("after the token the page got %+v, want hello", m)
	}
	if strings.Contains(e.logText(), paired.Token) {
		t.Fatal("the pairing token is in the engine's log")
	}
	pairings, err := os.ReadFile(filepath.Join(e.dataDir, "pairings.json"))
	if err != nil || strings.Contains(string(pairings), paired.Token) || !strings.Contains(string(pairings), crm) {
		t.Fatalf("pairings file: %v\n%s", err, pairings)
	}

	later := e.openPage(t, crm)
	if m := later.auth(paired.Token); !m.OK {
		t.Fatalf("auth with the token: %+v", m.Error)
	}
	if out, err := e.cli(t, "pair", "revoke", crm); err != nil {
		t.Fatalf("pair revoke: %v\n%s", err, out)
	}
	for _, pg := range []*page{p, later} {
		if code := pg.closeCode(); code != websocket.ClosePolicyViolation {
			t.Fatalf("revoked page closed with %d, want 1008", code)
		}
	}
	again := e.openPage(t, crm)
	if m := again.auth(paired.Token); m.OK || m.Error.Code != api.CodeUnauthorized {
		t.Fatalf("revoked token: %+v", m)
	}
	if out, err := e.cli(t, "pair", "approve", "https://nobody.example.com"); err == nil || !strings.Contains(out, "not_found") {
		t.Fatalf("approving an origin that never asked: %v\n%s", err, out)
	}
}

func TestPairCLIWithoutEngine(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"dataDir":"`+filepath.Join(dir, "data")+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "pair", "list", "--config", cfg).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not running") {
		t.Fatalf("pair list with no engine: %v\n%s", err, out)
	}
}
