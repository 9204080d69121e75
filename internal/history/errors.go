package history

import "github.com/wpservice/wpservice/internal/api"

// Errors of the history, each wrapping the api condition it is answered with.
var (
	// ErrNoRecord: history.delete named a record that is not there.
	ErrNoRecord = api.Sentinel("no such call record", api.ErrNotFound)
	// ErrNoMessage: chat.delete named a message that is not there.
	ErrNoMessage = api.Sentinel("no such message", api.ErrNotFound)
	// ErrUnavailable: the database could not be opened or used, or the store is closed.
	ErrUnavailable = api.Sentinel("call history unavailable", api.ErrUnavailable)
)
