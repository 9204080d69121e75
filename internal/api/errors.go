package api

import "errors"

// Stable error codes carried in Error.Code. Clients switch on these; never rename one.
const (
	CodeBadRequest      = "bad_request"      // not a JSON object, or the envelope is malformed
	CodeUnknownCommand  = "unknown_command"  // cmd is not in the command table
	CodeInvalidArgs     = "invalid_args"     // args missing, of the wrong type or out of range
	CodeInvalidState    = "invalid_state"    // the command does not apply in the current state
	CodeNotFound        = "not_found"        // no such line, call or device
	CodeNoFreeLine      = "no_free_line"     // every line is busy
	CodeNoAccount       = "no_account"       // the command needs a configured SIP account
	CodeUnauthorized    = "unauthorized"     // missing or wrong token
	CodeForbidden       = "forbidden"        // this connection may not run this command
	CodeUnavailable     = "unavailable"      // a subsystem (audio device, SIP transport) is not available
	CodeInternal        = "internal"         // a bug; the message says what failed
	CodePairingRequired = "pairing_required" // the origin must be approved first; data is a PairingRequest
	CodeRateLimited     = "rate_limited"     // too many attempts; retry later
)

// The conditions behind the codes above, as Go errors. The engine and the packages
// under it return errors that wrap one of these (errors.Is), usually through a
// sentinel of their own declared in their errors.go; control turns them into wire
// codes in one table (control/wire.go). A handler never builds an *Error itself.
var (
	ErrInvalidState = errors.New("invalid state") // -> invalid_state
	ErrNotFound     = errors.New("not found")     // -> not_found
	ErrNoFreeLine   = errors.New("no free line")  // -> no_free_line
	ErrNoAccount    = errors.New("no account")    // -> no_account
	ErrUnavailable  = errors.New("unavailable")   // -> unavailable
)

// Conditions lists every condition above; control's table is tested against it.
var Conditions = []error{ErrInvalidState, ErrNotFound, ErrNoFreeLine, ErrNoAccount, ErrUnavailable}

// ArgError is an invalid argument: Field is its JSON name as the client sent it
// ("to", "registerInterval", "line"), Reason says what is wrong and what is allowed.
// It becomes invalid_args with the message "field: reason".
type ArgError struct {
	Field  string
	Reason string
}

func (e *ArgError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// BadArg returns an *ArgError for field.
func BadArg(field, reason string) error { return &ArgError{Field: field, Reason: reason} }

// Sentinel returns a package's sentinel error: its message is text alone, and
// errors.Is matches it and cond. errors.go files declare theirs with it, e.g.
// var ErrNoCall = api.Sentinel("no such call", api.ErrNotFound).
func Sentinel(text string, cond error) error { return &sentinel{text, cond} }

type sentinel struct {
	text string
	cond error
}

func (e *sentinel) Error() string { return e.text }
func (e *sentinel) Unwrap() error { return e.cond }
