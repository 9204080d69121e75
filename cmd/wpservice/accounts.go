package main

import (
	"log/slog"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/accountstore"
)

// savedAccounts is the id of the saved default account ("" with none saved) and the
// accounts saved besides it, normalized; one that does not validate is left out.
func savedAccounts(accounts *accountstore.Store, log *slog.Logger) (string, []account.Entry) {
	all, err := accounts.LoadAll()
	if err != nil {
		log.Warn("stored accounts: some could not be read whole", "err", err)
	}
	if len(all) == 0 {
		return "", nil
	}
	var extras []account.Entry
	for _, e := range all[1:] {
		e.Account = e.Account.Normalize()
		if err := e.Account.Validate(); err != nil || !e.Account.Configured() {
			log.Warn("stored account left out", "account", e.ID, "err", err)
			continue
		}
		extras = append(extras, e)
	}
	return all[0].ID, extras
}
