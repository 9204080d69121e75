package trust

import (
	"os"
	"path/filepath"
	"sort"
)

// nssStores returns the NSS databases of the user: the shared Chromium
// database (created when absent), snap Chromium's when present, and every
// Firefox profile that has a cert9.db.
func nssStores(env Environment) []Store {
	stores := []Store{&NSSStore{
		Label:  "Chromium/Chrome NSS database",
		Dir:    filepath.Join(env.Home, ".pki", "nssdb"),
		Create: true,
		Run:    env.Run,
	}}
	snap := filepath.Join(env.Home, "snap", "chromium", "current", ".pki", "nssdb")
	if _, err := os.Stat(filepath.Join(snap, "cert9.db")); err == nil {
		stores = append(stores, &NSSStore{Label: "snap Chromium NSS database", Dir: snap, Run: env.Run})
	}
	for _, root := range []string{
		filepath.Join(env.Home, ".mozilla", "firefox"),
		filepath.Join(env.Home, "snap", "firefox", "common", ".mozilla", "firefox"),
	} {
		dbs, _ := filepath.Glob(filepath.Join(root, "*", "cert9.db"))
		sort.Strings(dbs)
		for _, db := range dbs {
			dir := filepath.Dir(db)
			stores = append(stores, &NSSStore{Label: "Firefox profile " + filepath.Base(dir), Dir: dir, Run: env.Run})
		}
	}
	return stores
}
