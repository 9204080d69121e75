package trust

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Runner runs an external program and returns its combined output. A
// program that cannot be found yields an error matching exec.ErrNotFound; a
// non-zero exit yields an error with an ExitCode method.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// commandTimeout bounds each external command. It is long because macOS and
// Windows show the user a confirmation dialog while the command waits.
const commandTimeout = 3 * time.Minute

// ExecRunner runs programs with os/exec, stdin closed. Errors are
// *CommandError.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return out, &CommandError{Name: name, Args: args, Output: out, Err: err}
	}
	return out, nil
}

// run calls r (ExecRunner when nil) with a bounded context.
func run(r Runner, name string, args ...string) ([]byte, error) {
	if r == nil {
		r = ExecRunner
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	return r(ctx, name, args...)
}

// toolMissing turns a not-found program into a FixError naming the package
// that provides it; other errors pass through.
func toolMissing(err error, fix string) error {
	if errors.Is(err, exec.ErrNotFound) {
		return &FixError{Err: ErrToolMissing, Fix: fix}
	}
	return err
}

// withTempPEM writes pem to a temporary file, calls fn with its path and
// removes the file. Tools such as certutil and security only read files.
func withTempPEM(pem []byte, fn func(path string) error) error {
	f, err := os.CreateTemp("", "wpservice-ca-*.crt")
	if err != nil {
		return fmt.Errorf("trust: temporary file: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(pem); err != nil {
		f.Close()
		return fmt.Errorf("trust: temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("trust: temporary file: %w", err)
	}
	return fn(f.Name())
}
