package testpeer

import (
	"errors"
	"fmt"
)

var (
	// ErrNetstring reports a malformed netstring on a ctrl_tcp connection.
	ErrNetstring = errors.New("testpeer: malformed netstring")

	// ErrNetstringTooLong reports a netstring longer than MaxNetstring.
	ErrNetstringTooLong = errors.New("testpeer: netstring too long")

	// ErrCtrlClosed reports that the ctrl_tcp connection to baresip closed
	// before a command got its response.
	ErrCtrlClosed = errors.New("testpeer: baresip control connection closed")

	// ErrCommandTimeout reports that baresip did not answer a command in time.
	ErrCommandTimeout = errors.New("testpeer: baresip command timed out")

	// errPortTaken reports that a port picked free was taken before the peer
	// bound it; the peer is started again on other ports.
	errPortTaken = errors.New("port taken before the peer bound it")
)

// CommandError is a ctrl_tcp response with "ok": false.
type CommandError struct {
	Command string // the command that was sent
	Data    string // baresip's explanation, e.g. "command not found (x)"
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("testpeer: baresip command %q failed: %s", e.Command, e.Data)
}
