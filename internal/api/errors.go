package api

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
