package phone

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the engine joins
// every goroutine it starts before Run returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
