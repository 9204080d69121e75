// Command peerd starts real SIP peers (kamailio, baresip, SIPp) for tests that are
// not written in Go: the browser tests in web/tests drive it over JSON lines on its
// standard input and output (web/tests/peers.mjs). It is a test tool, never shipped.
//
// The first input line says what to start, for example
//
//	{"kamailio":{"auth":true,"users":{"alice":"pw1","bob":"pw2"}},
//	 "baresip":{"user":"bob","password":"pw2","autoAnswer":true,"record":true,"toneHz":700}}
//
// and peerd answers one line with their addresses. Every later line is a command
// ({"cmd":"baresip.dtmf"}, {"cmd":"sipp.call",...}; see commands.go) with one
// answer line, {"ok":true,...} or {"ok":false,"error":"..."}. On {"cmd":"quit"},
// on the end of its input (the test ended or died), on SIGINT, SIGTERM or SIGHUP,
// and after a fatal error, peerd stops every process it started, by PID, removes
// its temporary files and exits. Its log goes to standard error.
//
// Under CI=true a missing peer binary is a fatal error, as in the Go tests.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	t, err := newTB(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "peerd:", err)
		os.Exit(2)
	}
	d := &daemon{tb: t}

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig := <-signals
		t.Logf("%v: stopping the peers", sig)
		t.runCleanups()
		os.Exit(1)
	}()

	code := d.run(bufio.NewScanner(os.Stdin), json.NewEncoder(os.Stdout))
	t.runCleanups()
	os.Exit(code)
}
