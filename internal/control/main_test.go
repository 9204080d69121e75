package control

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: Close joins every
// Serve loop and connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
