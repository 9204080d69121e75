package trust

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotInstalled reports that no local CA has been installed (the tls
	// directory holds no root).
	ErrNotInstalled = errors.New("trust: local CA not installed")

	// ErrForeignRoot reports a root certificate that was not made by
	// localca.Generate, so it is never passed to a trust store tool.
	ErrForeignRoot = errors.New("trust: root is not a wpservice local CA")

	// ErrLeafExpired reports a leaf that is expired or not yet valid.
	ErrLeafExpired = errors.New("trust: leaf certificate expired or not yet valid")

	// ErrUnavailable reports a store that does not exist on this machine.
	ErrUnavailable = errors.New("trust: store not available")

	// ErrToolMissing reports that the program a store needs is not installed.
	ErrToolMissing = errors.New("trust: required tool not installed")

	// ErrNeedsAdmin reports a store that only an administrator may change.
	ErrNeedsAdmin = errors.New("trust: administrator rights needed")
)

// FixError is a store failure the user can fix, with the fix spelled out
// (usually the exact command to run). It unwraps to Err.
type FixError struct {
	Err error  // ErrUnavailable, ErrToolMissing or ErrNeedsAdmin
	Fix string // what to do, for people
}

func (e *FixError) Error() string { return e.Err.Error() + " (" + e.Fix + ")" }

func (e *FixError) Unwrap() error { return e.Err }

// Fix returns the fix carried by err, or "" when err has none.
func Fix(err error) string {
	var fe *FixError
	if errors.As(err, &fe) {
		return fe.Fix
	}
	return ""
}

// CommandError is an external program that failed. Output is its combined
// stdout and stderr, which never holds secrets (the tools only see
// certificates).
type CommandError struct {
	Name   string
	Args   []string
	Output []byte
	Err    error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("trust: %s %s: %v", e.Name, strings.Join(e.Args, " "), e.Err)
	if out := strings.TrimSpace(string(e.Output)); out != "" {
		msg += ": " + out
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

// ExitCode returns the program's exit status, or -1 when it did not run to
// completion.
func (e *CommandError) ExitCode() int { return exitCode(e.Err) }

// exitCode returns the exit status carried by err, or -1.
func exitCode(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}
