// Package trust installs the per-install loopback root of package localca
// into the trust stores that browsers read, removes it again, and reports
// where it is trusted.
//
// The pattern is mkcert's: every install generates its own name-constrained
// root, signs one leaf for localhost, 127.0.0.1 and ::1, destroys the root
// key before anything is written to disk, and asks each store to trust the
// root. Nothing is shared between installs and no public name is involved.
//
// A Store is one place that holds trusted roots: the Debian/Ubuntu system
// store (SystemStore), an NSS database used by Chromium and Firefox on Linux
// (NSSStore), the macOS login keychain (KeychainStore) or the Windows
// per-user Root store (WindowsRootStore). Stores run their external tools
// through a Runner and take every path from their fields, so tests point
// them at temporary directories. DefaultStores picks the stores of the
// running OS.
//
// Manager ties it together: Install replaces any previous root, Uninstall
// removes it from every store and deletes the files, Status reports each
// store's state with the fix for the ones that fail. The engine calls
// LoadServerCertificate at start to serve wss://.
package trust
