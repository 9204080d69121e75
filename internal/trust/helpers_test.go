package trust

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/localca"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// requireTool skips the test when the program is missing, or fails it under
// CI=true, where every tool of scripts/deps.sh must be installed.
func requireTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (Debian package %s); run scripts/deps.sh", name, pkg)
		}
		t.Skipf("%s not installed; install the Debian package %s (scripts/deps.sh)", name, pkg)
	}
}

// newRoot returns a fresh local CA, its nickname and a leaf it issued.
func newRoot(t *testing.T) (*localca.CA, string, tls.Certificate) {
	t.Helper()
	ca, err := localca.Generate(testNow)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	leaf, err := ca.IssueLeaf(testNow)
	if err != nil {
		t.Fatalf("IssueLeaf: %v", err)
	}
	nick, err := Nickname(ca.Certificate())
	if err != nil {
		t.Fatalf("Nickname: %v", err)
	}
	return ca, nick, leaf
}

// verifyWith checks leaf against pool for a TLS server name.
func verifyWith(pool *x509.CertPool, leaf *x509.Certificate, name string) error {
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:       pool,
		DNSName:     name,
		CurrentTime: testNow,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// call is one command a store ran.
type call struct {
	name string
	args []string
}

func (c call) String() string { return c.name + " " + strings.Join(c.args, " ") }

// reply is what scriptRunner answers to a command.
type reply struct {
	out  string
	exit int // 0 means success
}

// exitError is a non-zero exit, as *exec.ExitError reports it.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
func (e exitError) ExitCode() int { return int(e) }

// scriptRunner is a Runner for the macOS and Windows stores: it records
// every command and answers from a queue of replies per command verb (the
// first argument). A verb without replies left succeeds with no output.
type scriptRunner struct {
	calls   []call
	replies map[string][]reply
	files   map[string]string // contents of .crt arguments at call time
}

func (r *scriptRunner) run(_ context.Context, name string, args ...string) ([]byte, error) {
	r.calls = append(r.calls, call{name, slices.Clone(args)})
	for _, a := range args {
		if strings.HasSuffix(a, ".crt") {
			data, err := os.ReadFile(a)
			if err != nil {
				return nil, err
			}
			if r.files == nil {
				r.files = map[string]string{}
			}
			r.files[a] = string(data)
		}
	}
	verb := verbOf(args)
	q := r.replies[verb]
	if len(q) == 0 {
		return nil, nil
	}
	rep := q[0]
	r.replies[verb] = q[1:]
	if rep.exit != 0 {
		return []byte(rep.out), &CommandError{Name: name, Args: args, Output: []byte(rep.out), Err: exitError(rep.exit)}
	}
	return []byte(rep.out), nil
}

// verbOf is the first argument that names an operation: security's
// subcommand or certutil's -addstore/-delstore/-store.
func verbOf(args []string) string {
	for _, a := range args {
		if a != "-user" {
			return a
		}
	}
	return ""
}
