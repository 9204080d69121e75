package trust

import (
	"fmt"
	"os"
)

// Environment is what DefaultStores needs to know about the host. Tests
// fill it with temporary directories so that no real store is touched.
type Environment struct {
	// Home is the user's home directory, where browsers keep their NSS
	// databases and macOS its login keychain.
	Home string
	// SystemCertsDir, SystemBundle and SystemUpdate configure the Linux
	// SystemStore (DebianCertsDir, DebianBundle, update-ca-certificates).
	SystemCertsDir string
	SystemBundle   string
	SystemUpdate   []string
	// IsAdmin reports whether the process may change system-wide stores;
	// nil means "running as root".
	IsAdmin func() bool
	// Run runs external tools; nil means ExecRunner.
	Run Runner
}

// HostEnvironment describes the real machine and user.
func HostEnvironment() (Environment, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Environment{}, fmt.Errorf("trust: home directory: %w", err)
	}
	return Environment{
		Home:           home,
		SystemCertsDir: DebianCertsDir,
		SystemBundle:   DebianBundle,
		SystemUpdate:   []string{"update-ca-certificates"},
		Run:            ExecRunner,
	}, nil
}
