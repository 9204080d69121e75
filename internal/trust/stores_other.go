//go:build !linux && !darwin && !windows

package trust

// DefaultStores returns the stores of this OS. Elsewhere (the BSDs): the
// user's NSS databases only. tlsDir is unused here.
func DefaultStores(env Environment, tlsDir string) []Store {
	return nssStores(env)
}
