//go:build linux

package trust

import (
	"path/filepath"

	"github.com/wpservice/wpservice/internal/localca"
)

// DefaultStores returns the stores of this OS. On Linux: the system store
// and the user's NSS databases (Chromium/Chrome, snap Chromium, Firefox
// profiles). tlsDir is where Manager saves the root; it is named in the
// commands printed for a user who is not root.
func DefaultStores(env Environment, tlsDir string) []Store {
	system := &SystemStore{
		CertsDir:   env.SystemCertsDir,
		Bundle:     env.SystemBundle,
		Update:     env.SystemUpdate,
		SourceFile: filepath.Join(tlsDir, localca.CACertFile),
		IsAdmin:    env.IsAdmin,
		Run:        env.Run,
	}
	return append([]Store{system}, nssStores(env)...)
}
