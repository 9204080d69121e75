package main

import (
	"errors"
	"log/slog"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/store"
)

// settingsDoc is the store's document of the settings changed with settings.set
// (settings.json): the fields changed only, each with its last value. It is
// written whole and atomically (store.WriteFile), so a crash leaves the record
// before a change or the one after it.
const settingsDoc = "settings"

// settingsStore keeps the settings.set changes in the data directory.
type settingsStore struct{ st *store.Store }

// SaveSettings writes the record of the changed settings.
func (s settingsStore) SaveSettings(a api.SettingsArgs) error { return s.st.Save(settingsDoc, a) }

// loadSettings reads the record of the changed settings; none when there is none,
// or when it cannot be read, which is logged.
func loadSettings(st *store.Store, log *slog.Logger) api.SettingsArgs {
	var a api.SettingsArgs
	if err := st.Load(settingsDoc, &a); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			log.Warn("saved settings ignored", "err", err)
		}
		return api.SettingsArgs{}
	}
	return a
}
