package api

// Several accounts. Each has an id the engine gives it ("1", "2"...: never reused);
// the first is the default account, which account.get and account.set read and
// change, and which calls, registration and events without an account id concern.

// AccountInfo is one account as accounts.list reports it: its id, whether it is the
// default, its fields (never the password) and its registration.
type AccountInfo struct {
	ID      string `json:"id"`
	Default bool   `json:"default"`
	Account
	Registration RegState `json:"registration"`
}

// AccountList is every account, the default first.
type AccountList struct {
	Accounts []AccountInfo `json:"accounts"`
}

// AccountUpdateArgs changes the account with ID; the other fields are account.set's.
type AccountUpdateArgs struct {
	ID string `json:"id"`
	AccountArgs
}

// AccountRef names an account by id.
type AccountRef struct {
	ID string `json:"id"`
}
