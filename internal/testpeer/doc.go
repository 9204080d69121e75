// Package testpeer starts real SIP peers for integration tests: a kamailio
// registrar and proxy, baresip user agents driven through their ctrl_tcp
// socket, and SIPp scenarios.
//
// It is imported only by _test.go files. Every peer binds 127.0.0.1 on a port
// picked free at run time, keeps its files in t.TempDir(), runs as a child
// process whose PID is recorded and killed in t.Cleanup, and writes its
// output to a log file whose tail is printed with t.Log when the test fails.
//
// On Linux, StartNamespace makes another host on the same machine (a
// network namespace on a veth pair); a peer whose options' Host is that
// namespace's Host() runs inside it, bound to its address.
//
// A missing binary skips the test, or fails it when the environment has
// CI=true; scripts/deps.sh installs the peers.
package testpeer
