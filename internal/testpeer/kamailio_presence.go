package testpeer

import (
	_ "embed"
	"os"
	"path/filepath"
	"text/template"
)

// A kamailio with KamailioOptions.Presence is a presence server too (kamailio's
// presence, presence_xml, presence_dialoginfo, presence_mwi, pua and
// pua_dialoginfo modules, from Debian's kamailio-presence-modules): it takes
// PUBLISH and SUBSCRIBE of the presence, dialog and message-summary packages for
// its subscribers, and publishes the dialogs of the INVITEs it proxies as
// dialog-info, so that a watcher sees a subscriber's calls. It does not
// authenticate.

//go:embed kamailio_presence.cfg.tmpl
var kamailioPresenceConfig string

var kamailioPresenceTemplate = template.Must(template.New("kamailio_presence.cfg").Parse(kamailioPresenceConfig))

// kamailioDBText is where Debian installs the db_text table definitions.
const kamailioDBText = "/usr/share/kamailio/dbtext/kamailio"

// presenceTables are the db_text tables the presence modules open.
var presenceTables = []string{"version", "presentity", "active_watchers", "watchers", "xcap", "pua"}

// needPresenceModules skips the test (fails it under CI) when kamailio's presence
// modules are not installed.
func needPresenceModules(t TB) {
	t.Helper()
	dir, err := kamailioModulePath()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "presence.so"))
	}
	if err != nil {
		missing(t, "kamailio presence modules (kamailio-presence-modules)", err, onCI())
	}
}

// writePresenceDB copies the empty presence tables into dbDir.
func writePresenceDB(dbDir string) error {
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	for _, name := range presenceTables {
		data, err := os.ReadFile(filepath.Join(kamailioDBText, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dbDir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
