package dist

import (
	"debug/macho"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The engine's code builds for macOS on Intel and Apple silicon without cgo (the
// macOS package itself, with CoreAudio, is built on a Mac): each is a Mach-O
// executable for its CPU. make cross vets and builds the same in CI, before the
// tests, whose build then comes from the cache.
func TestMacEnginesBuildWithoutCgo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the engine twice: not in -short")
	}
	for arch, cpu := range map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64} {
		t.Run(arch, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "wpservice")
			cmd := exec.Command("go", "build", "-o", bin, "./cmd/wpservice")
			cmd.Dir = repoRoot()
			cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+arch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=darwin GOARCH=%s CGO_ENABLED=0 go build: %v\n%s", arch, err, out)
			}
			f, err := macho.Open(bin)
			if err != nil {
				t.Fatalf("not a Mach-O file: %v", err)
			}
			defer f.Close()
			if f.Cpu != cpu || f.Type != macho.TypeExec {
				t.Errorf("the darwin/%s engine is %v %v, want %v %v", arch, f.Cpu, f.Type, cpu, macho.TypeExec)
			}
		})
	}
}
