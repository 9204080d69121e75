package phone

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the engine joins
// every goroutine it starts before Run returns.
//
// The real media clock runs on Go's ticker here, whose time synctest controls; the
// operating system's timer has its own test (frametimer_linux_test.go).
func TestMain(m *testing.M) {
	newRealFrameTimer = newTickerTimer
	goleak.VerifyTestMain(m)
}
