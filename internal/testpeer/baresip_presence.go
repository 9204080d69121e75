package testpeer

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// withPresence adds the presence and contact modules to a baresip
// configuration and writes its contacts file: each URI of watch as a contact
// whose presence baresip subscribes to.
func withPresence(config, confDir string, watch []string) (string, error) {
	var b strings.Builder
	for i, uri := range watch {
		b.WriteString(`"watched` + string(rune('a'+i)) + `" <` + uri + ">;presence=p2p\n")
	}
	if err := os.WriteFile(filepath.Join(confDir, "contacts"), []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	// presence as an application module: loaded after the accounts, so that its
	// publisher finds the account it publishes for
	return config + "module\tcontact.so\nmodule_app\tpresence.so\n", nil
}

// SetPresence publishes baresip's own status: online or offline.
func (b *Baresip) SetPresence(t TB, online bool) {
	t.Helper()
	if online {
		b.mustCommand(t, "presence_online", "")
	} else {
		b.mustCommand(t, "presence_offline", "")
	}
}

// WaitContactPresence waits until baresip's contact list shows uri with a
// presence status containing want ("online", "busy", "offline"), and fails the
// test with the list if it does not within timeout.
func (b *Baresip) WaitContactPresence(t TB, uri, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var list string
	for {
		list, _ = b.Command(t, "contacts", "")
		for _, line := range strings.Split(list, "\n") {
			if strings.Contains(line, uri) && strings.Contains(strings.ToLower(line), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip: contact %s not %q within %v; contacts:\n%s", uri, want, timeout, list)
		}
		time.Sleep(200 * time.Millisecond) // baresip pushes no event for a contact's presence
	}
}
