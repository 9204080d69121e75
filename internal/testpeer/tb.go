package testpeer

// TB is what the harness needs from its caller: *testing.T and *testing.B satisfy it,
// and so does the peer daemon (peerd) that starts these peers for the browser tests.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Failed() bool
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Log(args ...any)
	Logf(format string, args ...any)
	Skipf(format string, args ...any)
	TempDir() string
}
