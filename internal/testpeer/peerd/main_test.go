package main

import (
	"os"
	"testing"
)

// daemonEnv makes the test binary run as peerd itself, so that tests can
// start the daemon as a separate process without building it first.
const daemonEnv = "PEERD_TEST_RUN_AS_DAEMON"

func TestMain(m *testing.M) {
	if os.Getenv(daemonEnv) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}
