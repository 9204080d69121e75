//go:build darwin

package trust

import "path/filepath"

// DefaultStores returns the stores of this OS. On macOS: the login keychain
// with a user trust setting, which Safari, Chrome and (with its default
// enterprise-roots setting) Firefox read. tlsDir is unused here.
func DefaultStores(env Environment, tlsDir string) []Store {
	return []Store{&KeychainStore{
		Keychain: filepath.Join(env.Home, "Library", "Keychains", "login.keychain-db"),
		Run:      env.Run,
	}}
}
