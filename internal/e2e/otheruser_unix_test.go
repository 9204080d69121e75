//go:build unix

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOtherUsersCannotReachTheAPI: on a shared computer another user's program
// connects to the engine's loopback port and is dropped before any HTTP is read,
// while the engine's own user is served. It runs the client as uid 65534 (needs root,
// which CI has).
func TestOtherUsersCannotReachTheAPI(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs root, which CI has")
		}
		t.Skip("needs root to run a client as another user")
	}
	e := startEngine(t, engineOptions{})
	addr := fmt.Sprintf("127.0.0.1:%d", e.port)

	dir, err := os.MkdirTemp("", "wpservice-e2e-user-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{otherUserDialEnv + "=" + addr}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("other user's client: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "outcome=refused") {
		t.Fatalf("another user reached the API: %s", out)
	}
	// The engine logs the refusal as it drops the connection; the client may see the
	// drop a moment before the line reaches the log.
	if !e.waitLog(5*time.Second, "connection from another user refused", "peer_uid=65534") {
		t.Errorf("the refusal is not in the engine's log")
	}
	resp, err := http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatalf("the engine's own user: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the engine's own user got %d", resp.StatusCode)
	}
}
