//go:build windows

package adminsock

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// pipePrefix starts every admin pipe name; the user's SID completes it.
const pipePrefix = `\\.\pipe\wpservice-`

// DefaultPath returns the admin pipe of the current user,
// \\.\pipe\wpservice-<user SID>, so that each user's engine has its own.
func DefaultPath() (string, error) {
	sid, err := currentSID()
	if err != nil {
		return "", err
	}
	return pipePrefix + sid, nil
}

// Listen creates the named pipe at path with a protected DACL that grants
// access to the current user's SID alone: no Everyone, no Network, no other
// user. The pipe rejects remote clients. A pipe that already exists (another
// engine, or someone squatting on the name) gives ErrInUse: the first instance is
// made with FILE_FLAG_FIRST_PIPE_INSTANCE, and the listener keeps an instance
// until Close (pipeListener). A nil log is allowed.
func Listen(path string, log *slog.Logger) (net.Listener, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sid, err := currentSID()
	if err != nil {
		return nil, err
	}
	// D:P protected DACL (no inherited entries); A;;GA allow generic-all.
	sddl := "D:P(A;;GA;;;" + sid + ")"
	ln, err := listenPipe(path, sddl, log)
	switch {
	case errors.Is(err, windows.ERROR_ALREADY_EXISTS), errors.Is(err, windows.ERROR_PIPE_BUSY),
		errors.Is(err, windows.ERROR_ACCESS_DENIED):
		return nil, fmt.Errorf("%w: %s: %w", ErrInUse, path, err)
	case err != nil:
		return nil, fmt.Errorf("adminsock: listen: %w", err)
	}
	log.Info("admin pipe listening", "path", path)
	return ln, nil
}

// Dial connects to the engine's admin pipe at path. A missing pipe gives an
// error wrapping ErrNotRunning.
func Dial(ctx context.Context, path string) (net.Conn, error) {
	conn, err := winio.DialPipeContext(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
	}
	if err != nil {
		return nil, fmt.Errorf("adminsock: dial: %w", err)
	}
	return conn, nil
}

// currentSID returns the string SID of the user running this process.
func currentSID() (string, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("adminsock: current user SID: %w", err)
	}
	return user.User.Sid.String(), nil
}
