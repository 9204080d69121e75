package dist

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The admin pipe's own Windows tests (internal/adminsock), run under wine: the
// pipe's first client completes its exchange, as every later one and several at
// once do; its DACL is protected and grants the user alone; Close ends a waiting
// Accept and the name. (The refusal of a name that exists is Windows' own: wine
// opens it, and that test skips itself there.)
func TestAdminPipeUnderWine(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs wine: not in -short")
	}
	p := newPrefix(t)
	exe := filepath.Join(t.TempDir(), "adminsock.test.exe")
	// -trimpath as the release builds: the standard library comes from their cache.
	build := exec.Command("go", "test", "-c", "-trimpath", "-o", exe, "./internal/adminsock")
	build.Dir = repoRoot()
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the adminsock tests for Windows: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := p.command(ctx, wine64, exe, "-test.v", "-test.run", "^TestPipe").CombinedOutput()
	if err != nil {
		t.Fatalf("the adminsock tests under wine: %v\n%s", err, out)
	}
	for _, test := range []string{"TestPipeFirstClientCompletes", "TestPipeOwnerOnlyDACL", "TestPipeCloseEndsAccept"} {
		if !strings.Contains(string(out), "--- PASS: "+test+" ") {
			t.Errorf("%s did not pass under wine:\n%s", test, out)
		}
	}
}
