package dist

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// testVersion is the version the tests build; its Debian form is debVersion.
// nextVersion, built only for the upgrade tests, is the release after it.
const (
	testVersion = "0.0.0-disttest"
	debVersion  = "0.0.0+disttest"
	nextVersion = "0.0.1-disttest"
	nextDeb     = "0.0.1+disttest"
)

// artefacts are the files installer/dist.sh made for testVersion.
type artefacts struct {
	dir       string
	windows   string // the Windows engine
	installer string // its NSIS installer
	deb       string
	tarball   string
	debArm64  string // the .deb and the tarball for linux/arm64
	tarArm64  string
}

// release is the artefacts of one version, built at most once per test binary.
type release struct {
	version, debVersion string
	once                sync.Once
	built               artefacts
	err                 error
}

var (
	current   = &release{version: testVersion, debVersion: debVersion}
	next      = &release{version: nextVersion, debVersion: nextDeb}
	buildDirs []string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range buildDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// dist builds every artefact once per test binary (the Go build cache makes a
// rebuild of unchanged code quick) and returns them. The test is skipped, or
// fails under CI=true, when a tool the build needs is missing.
func dist(t *testing.T) artefacts {
	t.Helper()
	return current.get(t)
}

// distNext builds, once, the artefacts of nextVersion: what an upgrade installs.
func distNext(t *testing.T) artefacts {
	t.Helper()
	return next.get(t)
}

func (r *release) get(t *testing.T) artefacts {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the release artefacts: not in -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the artefacts are built on Linux")
	}
	for _, tool := range []string{"x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-objdump", "makensis", "dpkg-deb", "aarch64-linux-gnu-gcc"} {
		testpeer.Need(t, tool)
	}
	r.once.Do(func() { r.built, r.err = build(r.version, r.debVersion) })
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.built
}

func build(version, debVersion string) (artefacts, error) {
	dir, err := os.MkdirTemp("", "wpservice-dist-")
	if err != nil {
		return artefacts{}, err
	}
	buildDirs = append(buildDirs, dir)
	cmd := exec.Command("bash", filepath.Join(repoRoot(), "installer", "dist.sh"), version, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return artefacts{}, fmt.Errorf("installer/dist.sh: %v\n%s", err, out)
	}
	a := artefacts{
		dir:       dir,
		windows:   filepath.Join(dir, "wpservice-"+version+"-windows-amd64.exe"),
		installer: filepath.Join(dir, "wpservice-"+version+"-windows-amd64-setup.exe"),
		deb:       filepath.Join(dir, "wpservice_"+debVersion+"_amd64.deb"),
		tarball:   filepath.Join(dir, "wpservice-"+version+"-linux-amd64.tar.gz"),
		debArm64:  filepath.Join(dir, "wpservice_"+debVersion+"_arm64.deb"),
		tarArm64:  filepath.Join(dir, "wpservice-"+version+"-linux-arm64.tar.gz"),
	}
	for _, f := range []string{a.windows, a.installer, a.deb, a.tarball, a.debArm64, a.tarArm64, filepath.Join(dir, "SHA256SUMS")} {
		if _, err := os.Stat(f); err != nil {
			return artefacts{}, fmt.Errorf("installer/dist.sh made no %s", filepath.Base(f))
		}
	}
	return a, nil
}

// repoRoot is the module's root: this package is two levels below it.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}
