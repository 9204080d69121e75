package dist

import (
	"flag"
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

// release is the artefacts of one version, built at most once per test binary:
// those of targets (installer/dist.sh's; all of them when empty).
type release struct {
	version, debVersion string
	targets             []string
	once                sync.Once
	built               artefacts
	err                 error
}

var (
	current = &release{version: testVersion, debVersion: debVersion}
	// next is what the upgrade tests install over current: the Windows installer
	// and the amd64 .deb.
	next = &release{version: nextVersion, debVersion: nextDeb, targets: []string{"windows", "linux-amd64"}}

	buildMu   sync.Mutex
	buildDirs []string // removed by TestMain
	builds    sync.WaitGroup
)

// distTools are the tools installer/dist.sh needs.
var distTools = []string{"x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-objdump", "makensis", "dpkg-deb", "aarch64-linux-gnu-gcc"}

// TestMain starts, when the whole package runs, the release builds in the
// background: testVersion's at once (the first test, in file order, waits for it),
// and when it is done, nextVersion's and the engine for wine
// (wineEngine) side by side, while the tests of the first artefacts run. A test
// that needs a build that is not done yet waits for it.
//
// The tests under wine (each in a prefix of its own) and qemu, and the macOS
// builds, run in parallel with each other (t.Parallel: after the others, two at a
// time on two cores): much of their time is spent waiting for an engine, an
// installer or wine's own start. The tests that install the .deb with dpkg change
// the machine's packages and run one after the other.
func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "" && !testing.Short() && runtime.GOOS == "linux" && haveTools(distTools...) {
		builds.Go(func() {
			current.once.Do(current.build)
			if current.err != nil {
				return
			}
			builds.Go(func() { next.once.Do(next.build) })
			if _, err := os.Stat(wine64); err == nil {
				builds.Go(func() { wineRelease.once.Do(buildWineRelease) })
			}
		})
	}
	code := m.Run()
	builds.Wait()
	for _, d := range buildDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// haveTools reports whether every tool is on PATH.
func haveTools(tools ...string) bool {
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return false
		}
	}
	return true
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
	for _, tool := range distTools {
		testpeer.Need(t, tool)
	}
	r.once.Do(r.build)
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.built
}

func (r *release) build() { r.built, r.err = build(r.version, r.debVersion, r.targets...) }

// tempBuildDir makes a directory that TestMain removes.
func tempBuildDir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	buildDirs = append(buildDirs, dir)
	return dir, nil
}

func build(version, debVersion string, targets ...string) (artefacts, error) {
	dir, err := tempBuildDir("wpservice-dist-")
	if err != nil {
		return artefacts{}, err
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot(), "installer", "dist.sh"), version, dir}, targets...)...)
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
	want := []string{a.windows, a.installer, a.deb, a.tarball, a.debArm64, a.tarArm64, filepath.Join(dir, "SHA256SUMS")}
	if len(targets) > 0 { // only the upgrade's: the Windows installer and the amd64 .deb
		want = []string{a.windows, a.installer, a.deb, a.tarball, filepath.Join(dir, "SHA256SUMS")}
		a.debArm64, a.tarArm64 = "", ""
	}
	for _, f := range want {
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
