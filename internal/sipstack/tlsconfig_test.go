package sipstack

import (
	"os"
	"path/filepath"
	"testing"
)

// A CA file that cannot be read or holds no certificate is an error, never a
// configuration that quietly trusts less (or more) than asked.
func TestClientTLSConfigRefusesABadCAFile(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{filepath.Join(t.TempDir(), "missing.pem"), empty} {
		if _, err := ClientTLSConfig(file); err == nil {
			t.Errorf("%s: accepted", filepath.Base(file))
		}
	}
	tc, err := ClientTLSConfig("")
	if err != nil || tc.InsecureSkipVerify || tc.RootCAs != nil {
		t.Fatalf("no CA file: %+v, %v; want the system roots, verified", tc, err)
	}
}
