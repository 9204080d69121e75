package dist

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// enabledLink is what systemctl --global enable makes for the package's unit.
const enabledLink = "/etc/systemd/user/default.target.wants/wpservice.service"

// The .deb installs the engine, its user unit (valid, enabled for every user) and its
// man page; removing it disables the unit, and purging leaves none of its files.
func TestDebInstallRemovePurge(t *testing.T) {
	a := dist(t)
	needRoot(t)
	testpeer.Need(t, "dpkg")
	if st, _ := dpkgStatus("wpservice"); st != "" && !strings.Contains(st, "not-installed") {
		t.Skipf("a wpservice package is already installed on this machine (%s); not touching it", st)
	}
	t.Cleanup(func() { // restore the machine, also on failure
		if out, err := exec.Command("dpkg", "--purge", "wpservice").CombinedOutput(); err != nil {
			t.Errorf("dpkg --purge: %v\n%s", err, out)
		}
	})

	files := debFiles(t, a.deb)
	run(t, "dpkg", "--install", a.deb)
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("installed package lacks %s: %v", f, err)
		}
	}
	if target, err := os.Readlink(enabledLink); err != nil || target != "/usr/lib/systemd/user/wpservice.service" {
		t.Errorf("unit not enabled globally: %s -> %q, %v", enabledLink, target, err)
	}
	if out := run(t, "/usr/bin/wpservice", "version"); !strings.HasPrefix(out, "wpservice "+testVersion+" ") {
		t.Errorf("wpservice version printed %q", out)
	}
	verifyUserUnit(t, "/usr/lib/systemd/user/wpservice.service")

	run(t, "dpkg", "--remove", "wpservice")
	if _, err := os.Lstat(enabledLink); !os.IsNotExist(err) {
		t.Errorf("removed package left %s enabled: %v", enabledLink, err)
	}
	run(t, "dpkg", "--purge", "wpservice")
	for _, f := range append(files, enabledLink) {
		if _, err := os.Lstat(f); !os.IsNotExist(err) {
			t.Errorf("purged package left %s (%v)", f, err)
		}
	}
	if st, _ := dpkgStatus("wpservice"); st != "" && !strings.Contains(st, "not-installed") {
		t.Errorf("dpkg still knows the package after purge: %s", st)
	}
}

// verifyUserUnit runs systemd-analyze verify --user on unit and fails on any output
// on stderr: bad values there are only warnings, with exit status 0.
func verifyUserUnit(t *testing.T, unit string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Logf("systemd-analyze missing: the user unit is not verified")
		return
	}
	runtimeDir := t.TempDir()
	os.Chmod(runtimeDir, 0o700)
	cmd := exec.Command(analyze, "verify", "--user", unit)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("systemd-analyze verify --user %s: %v\n%s", unit, err, stderr.String())
	}
}

// debFiles lists the regular files and links the package holds, as absolute paths.
func debFiles(t *testing.T, deb string) []string {
	t.Helper()
	var files []string
	for _, line := range strings.Split(run(t, "dpkg-deb", "--contents", deb), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || strings.HasPrefix(fields[0], "d") {
			continue
		}
		files = append(files, filepath.Clean(strings.TrimPrefix(fields[5], ".")))
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no files", deb)
	}
	return files
}

func dpkgStatus(pkg string) (string, error) {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", pkg).Output()
	return strings.TrimSpace(string(out)), err
}

// needRoot skips the test without root, or fails it under CI=true, where the
// tests run as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("needs root (CI runs the tests as root)")
	}
	t.Skip("needs root: installs a package with dpkg")
}

// run runs a command and returns its standard output; the test fails if it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}
