package pairing

import "fmt"

// What a paired origin may do. The names are those of the control API's permissions
// (package api), which this package does not import.
const (
	// Control: place and answer calls, choose devices, change settings. Every
	// pairing has at least this.
	Control = "control"
	// Account: also configure the phone account (server, user name, password). A
	// site with it can send the user's calls through a server it chooses, so the
	// user grants it only when the site asks for it by name.
	Account = "account"
)

// rank orders the permissions a pairing can hold; 0 for any other name.
func rank(perm string) int {
	switch perm {
	case Control:
		return 1
	case Account:
		return 2
	}
	return 0
}

// checkPerm returns perm, Control for "", or ErrBadPermission.
func checkPerm(perm string) (string, error) {
	if perm == "" {
		return Control, nil
	}
	if rank(perm) == 0 {
		return "", fmt.Errorf("%w: %q", ErrBadPermission, perm)
	}
	return perm, nil
}
