//go:build windows

package trust

// DefaultStores returns the stores of this OS. On Windows: the current
// user's Root store, which Edge, Chrome and (with its default
// enterprise-roots setting) Firefox read. tlsDir is unused here.
func DefaultStores(env Environment, tlsDir string) []Store {
	return []Store{&WindowsRootStore{Run: env.Run}}
}
