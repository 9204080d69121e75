package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
)

// TestDaemonStartsAnswersAndCleansUp runs the daemon's loop in-process: it starts
// kamailio from the first line, answers commands one line each, and on the end of
// its input its cleanups stop kamailio (its TCP port no longer answers).
func TestDaemonStartsAnswersAndCleansUp(t *testing.T) {
	in := strings.Join([]string{
		`{"kamailio":{"users":{"alice":"pw"}}}`,
		`{"cmd":"baresip.dtmf"}`,
		`not json`,
		`{"cmd":"fly"}`,
	}, "\n") + "\n"
	var out bytes.Buffer
	d := newDaemon()
	if code := d.run(bufio.NewScanner(strings.NewReader(in)), json.NewEncoder(&out)); code != 0 {
		d.cleanup()
		t.Fatalf("run = %d\n%s", code, out.String())
	}
	var replies []map[string]any
	for line := range strings.Lines(out.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		replies = append(replies, r)
	}
	if len(replies) != 4 {
		d.cleanup()
		t.Fatalf("%d replies for 4 lines: %s", len(replies), out.String())
	}
	kam, _ := replies[0]["kamailio"].(map[string]any)
	addr, _ := kam["addr"].(string)
	if replies[0]["ok"] != true || !strings.HasPrefix(addr, "127.0.0.1:") {
		d.cleanup()
		t.Fatalf("start reply %v", replies[0])
	}
	for i, want := range []string{"no baresip was started", "bad command", "unknown command fly"} {
		if replies[i+1]["ok"] != false || !strings.Contains(replies[i+1]["error"].(string), want) {
			t.Errorf("reply %d = %v, want an error with %q", i+1, replies[i+1], want)
		}
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		t.Errorf("kamailio not listening while the daemon runs: %v", err)
	} else {
		c.Close()
	}
	d.cleanup()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("kamailio still answers after the daemon's cleanup")
	}
}
