package account

// Entry is one of the engine's accounts with the id the engine gave it. Ids are
// short strings ("1", "2"...) that stay with the account for its life and are
// never reused, so a page, a call or a history row that names one never names
// another account later.
type Entry struct {
	ID      string
	Account Account
}

// FirstID is the id of the first account an engine ever has: the one account of
// the releases before several, and the one the configuration file provisions.
const FirstID = "1"
