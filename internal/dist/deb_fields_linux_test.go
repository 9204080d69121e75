package dist

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The .deb of each architecture, made by nfpm, carries the control fields the
// hand-made one had: a section (nfpm leaves it empty when not told), the
// dependencies on the C library and the sound servers malgo opens, the version
// built and its architecture.
func TestDebControlFields(t *testing.T) {
	a := dist(t)
	for deb, arch := range map[string]string{a.deb: "amd64", a.debArm64: "arm64"} {
		want := map[string]string{
			"Package":      "wpservice",
			"Version":      debVersion,
			"Architecture": arch,
			"Section":      "comm",
			"Priority":     "optional",
			"Depends":      "libc6 (>= 2.34)",
			"Recommends":   "libasound2, libpulse0 | pipewire-pulse",
			"Maintainer":   "wpservice developers <wpservice@users.noreply.github.com>",
			"Homepage":     "https://github.com/wpservice/wpservice",
		}
		for field, value := range want {
			if got := strings.TrimSpace(run(t, "dpkg-deb", "--field", deb, field)); got != value {
				t.Errorf("%s: %s is %q, want %q", filepath.Base(deb), field, got, value)
			}
		}
		if desc := run(t, "dpkg-deb", "--field", deb, "Description"); !strings.HasPrefix(desc, "softphone engine driven by web pages\n") {
			t.Errorf("%s: Description %q", filepath.Base(deb), desc)
		}
	}
}

// The .deb is built by nfpm at the version installer/tools/go.mod pins (the later
// ones do not build from every module proxy), through go tool, not a copy found
// on PATH.
func TestNfpmPinned(t *testing.T) {
	root := repoRoot()
	cmd := exec.Command("go", "list", "-modfile="+filepath.Join(root, "installer", "tools", "go.mod"), "-m", "-f", "{{.Version}}", "github.com/goreleaser/nfpm/v2")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if v := strings.TrimSpace(string(out)); v != "v2.45.2" {
		t.Errorf("installer/tools/go.mod pins nfpm %s, want v2.45.2", v)
	}
	if script := readFile(t, filepath.Join(root, "installer", "dist.sh")); !strings.Contains(script, `"$go" tool -modfile=installer/tools/go.mod nfpm package`) {
		t.Error("installer/dist.sh does not run the pinned nfpm")
	}
}
