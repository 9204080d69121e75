// Package api is the wire contract of the control WebSocket: envelopes, command and
// event names, argument and result payloads, and stable error codes. It holds no logic
// beyond encoding helpers and imports only the standard library. docs/protocol.md
// documents every message.
package api

import "encoding/json"

// ProtocolVersion is bumped on any incompatible change of this package's wire shapes.
const ProtocolVersion = 1

// EngineName is reported by /health and hello; the JS facade's getenginename() maps it to "ns".
const EngineName = "wpservice"

// Request is a client command: {"id":"7","cmd":"call.dial","args":{...}}.
type Request struct {
	ID   string          `json:"id"`
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args,omitempty"`
}

// Response answers exactly one Request: {"id","ok":true,"result"} or {"id","ok":false,"error"}.
type Response struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	Result any    `json:"result,omitempty"`
	Error  *Error `json:"error,omitempty"`
}

// Error is the failure half of a Response. Code is one of the Code* constants.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"` // details for some codes (pairing_required: PairingRequest)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewError builds an *Error; handlers return it and control sends it unchanged.
func NewError(code, message string) *Error { return &Error{Code: code, Message: message} }

// Event is a server push: {"seq":12,"event":"call.state","data":{...}}. Seq strictly
// increases for the life of the engine process across all connections; the hello event
// carries the seq of the last event its snapshot already reflects.
type Event struct {
	Seq   uint64 `json:"seq"`
	Event string `json:"event"`
	Data  any    `json:"data"`
}

// OK returns a successful response for id.
func OK(id string, result any) Response { return Response{ID: id, OK: true, Result: result} }

// Fail returns an error response for id.
func Fail(id string, err *Error) Response { return Response{ID: id, OK: false, Error: err} }
