package account

import "github.com/wpservice/wpservice/internal/api"

// ErrNotConfigured is returned for a command that needs an account when the account
// lacks a server or a user name.
var ErrNotConfigured = api.Sentinel("no account: set an account with server and username first", api.ErrNoAccount)
