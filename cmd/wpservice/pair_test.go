package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
)

// pairEngine starts the engine with its admin socket and returns the control port and
// the socket's path.
func pairEngine(t *testing.T) (port, socket string) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Control.Port, cfg.Control.FallbackPorts = 0, nil
	sockDir := filepath.Join(dir, "run")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Control.AdminSocket = filepath.Join(sockDir, "admin.sock")
	cfg.SIP.ListenIP = "127.0.0.1"
	cfg.Audio = config.Audio{Backend: "null", Input: "null", Output: "null"}
	e := startRunEngine(t, cfg)
	return e.port, cfg.Control.AdminSocket
}

// sitePage opens a browser-like connection from origin and asks to pair for perm.
func sitePage(t *testing.T, port, origin, perm string) *websocket.Conn {
	t.Helper()
	h := http.Header{"Origin": {origin}}
	ws, _, err := websocket.DefaultDialer.Dial("ws://127.0.0.1:"+port+"/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	args, _ := json.Marshal(api.AuthArgs{Permission: perm})
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"id":"a","cmd":"auth","args":`+string(args)+`}`)); err != nil {
		t.Fatal(err)
	}
	var resp api.Response
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&resp); err != nil || resp.Error == nil || resp.Error.Code != api.CodePairingRequired {
		t.Fatalf("auth: %+v (%v), want pairing_required", resp, err)
	}
	return ws
}

// pairRun runs "wpservice pair args..." and returns its exit code and output.
func pairRun(args ...string) (int, string) {
	var out bytes.Buffer
	code := pairCmd(args, &out, &out)
	return code, out.String()
}

// grantedTo reads the paired event of a waiting page and returns its permission.
func grantedTo(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	var ev struct {
		Event string     `json:"event"`
		Data  api.Paired `json:"data"`
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&ev); err != nil || ev.Event != api.EvPaired {
		t.Fatalf("after approval: %+v (%v), want paired", ev, err)
	}
	return ev.Data.Permission
}

func TestPairSaysWhatASiteWants(t *testing.T) {
	port, socket := pairEngine(t)
	crm := sitePage(t, port, "https://crm.example.com", api.PermAccount)
	helpdesk := sitePage(t, port, "https://helpdesk.example.org", "")

	code, out := pairRun("list", "--socket", socket)
	if code != 0 {
		t.Fatalf("pair list = %d: %s", code, out)
	}
	for _, want := range []string{
		"crm.example.com wants to set up your phone account: it could then send your calls through a server it chooses",
		"helpdesk.example.org wants to place and answer calls",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pair list does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "helpdesk.example.org wants to set up") {
		t.Errorf("pair list says a site that asked for calls wants the account:\n%s", out)
	}

	if code, out := pairRun("approve", "--account", "https://helpdesk.example.org", "--socket", socket); code == 0 {
		t.Fatalf("granting the account to a site that asked for calls succeeded: %s", out)
	}
	if code, out := pairRun("deny", "--account", "https://helpdesk.example.org", "--socket", socket); code != 2 {
		t.Fatalf("deny --account = %d, want usage (2): %s", code, out)
	}
	if code, out := pairRun("approve", "https://helpdesk.example.org", "--socket", socket); code != 0 || !strings.Contains(out, "approved: calls") {
		t.Fatalf("approve = %d: %s", code, out)
	}
	if got := grantedTo(t, helpdesk); got != api.PermControl {
		t.Fatalf("helpdesk granted %q, want control", got)
	}
	code, out = pairRun("approve", "--account", "https://crm.example.com", "--socket", socket)
	if code != 0 || !strings.Contains(out, "approved: calls and your phone account") {
		t.Fatalf("approve --account = %d: %s", code, out)
	}
	if got := grantedTo(t, crm); got != api.PermAccount {
		t.Fatalf("crm granted %q, want account", got)
	}
	_, out = pairRun("list", "--socket", socket)
	if !lineHas(out, "https://crm.example.com", "approved", "calls and your phone account") ||
		!lineHas(out, "https://helpdesk.example.org", "approved", "calls") {
		t.Fatalf("pair list after approvals:\n%s", out)
	}
}

// lineHas reports whether one line of out holds every word, in order.
func lineHas(out string, words ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := line, true
		for _, w := range words {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			return true
		}
	}
	return false
}
