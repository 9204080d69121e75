package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runDaemon runs the daemon's loop in-process on lines and returns its exit
// code, its replies and its TB (whose cleanups the test runs).
func runDaemon(t *testing.T, lines ...string) (int, []reply, *tb) {
	t.Helper()
	var logs bytes.Buffer
	tb, err := newTB(&logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tb.runCleanups)
	d := &daemon{tb: tb}
	var out bytes.Buffer
	var in strings.Builder
	for _, line := range lines {
		in.WriteString(line + "\n")
	}
	code := d.run(bufio.NewScanner(strings.NewReader(in.String())), json.NewEncoder(&out))
	var replies []reply
	for line := range strings.Lines(out.String()) {
		var r reply
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("reply is not JSON: %q", line)
		}
		replies = append(replies, r)
	}
	return code, replies, tb
}

// TestRunAnswersEachLine: with no peers started, every command gets exactly
// one reply, errors say what is wrong, and nothing is read after quit.
func TestRunAnswersEachLine(t *testing.T) {
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if err := writeTone(wav, 440, time.Second); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line    string
		wantErr string // "" for ok
	}{
		{`{"cmd":"baresip.dtmf"}`, "baresip not started"},
		{`{"cmd":"baresip.wait","event":"CALL_CLOSED"}`, "baresip not started"},
		{`{"cmd":"baresip.command","name":"hangup"}`, "baresip not started"},
		{`not json`, "bad line"},
		{`{"cmd":"fly"}`, `unknown command "fly"`},
		{`{"cmd":"sipp.wait","timeoutMs":-1}`, "timeoutMs is negative"},
		{`{"cmd":"sipp.wait","target":1}`, "bad line"},
		{`{"cmd":"sipp.wait","tiemoutMs":5}`, `unknown field "tiemoutMs"`},
		{`{"cmd":"sipp.wait"}`, "sipp not started"},
		{`{"cmd":"sipp.call"}`, "target is required"},
		{`{"cmd":"audio.tone"}`, "path is required"},
		{`{"cmd":"audio.tone","path":"` + wav + `","fromMs":2000}`, "bad audio segment"},
		{`{"cmd":"audio.tone","path":"` + wav + `","toMs":500}`, ""},
		{`{"cmd":"quit"}`, ""},
	}
	lines := []string{`{}`}
	for _, tt := range tests {
		lines = append(lines, tt.line)
	}
	code, replies, _ := runDaemon(t, append(lines, `{"cmd":"baresip.dtmf"}`)...)
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if len(replies) != len(lines) {
		t.Fatalf("%d replies for %d lines up to quit: %v", len(replies), len(lines), replies)
	}
	if replies[0]["ok"] != true || len(replies[0]) != 1 {
		t.Errorf("start reply %v, want only ok for an empty start line", replies[0])
	}
	for i, tt := range tests {
		r := replies[i+1]
		if tt.wantErr == "" {
			if r["ok"] != true {
				t.Errorf("%s: %v, want ok", tt.line, r)
			}
			continue
		}
		if msg, _ := r["error"].(string); r["ok"] != false || !strings.Contains(msg, tt.wantErr) {
			t.Errorf("%s: %v, want an error with %q", tt.line, r, tt.wantErr)
		}
	}
	tone := replies[len(replies)-2]
	if hz, _ := tone["hz"].(float64); math.Abs(hz-440) > 5 {
		t.Errorf("audio.tone hz = %v, want 440", tone["hz"])
	}
	if ms, _ := tone["ms"].(float64); ms != 500 {
		t.Errorf("audio.tone ms = %v, want 500", tone["ms"])
	}
}

// TestRunFatalReportsAndStops: a fatal error in a command is the last reply,
// the exit code is 1 and later lines are not read; the cleanups remove the
// temporary root.
func TestRunFatalReportsAndStops(t *testing.T) {
	code, replies, tb := runDaemon(t,
		`{}`,
		`{"cmd":"sipp.call","target":"127.0.0.1:5060","scenario":"no-such-scenario.xml"}`,
		`{"cmd":"baresip.dtmf"}`,
	)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if len(replies) != 2 {
		t.Fatalf("replies %v, want the start reply and the fatal error", replies)
	}
	if msg, _ := replies[1]["error"].(string); replies[1]["ok"] != false || !strings.Contains(msg, "no-such-scenario.xml") {
		t.Errorf("fatal reply %v, want the scenario named", replies[1])
	}
	if _, err := os.Stat(tb.root); err != nil {
		t.Fatalf("temporary root gone before the cleanups: %v", err)
	}
	tb.runCleanups()
	if _, err := os.Stat(tb.root); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary root %s after the cleanups: %v", tb.root, err)
	}
}

func TestRunStartLine(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		wantCode int
		wantErr  string // "" for no reply at all
	}{
		{"no input", nil, 0, ""},
		{"misspelt peer", []string{`{"kamailo":{}}`}, 2, `unknown field "kamailo"`},
		{"not an object", []string{`[1]`}, 2, "bad line"},
		{"two objects", []string{`{} {}`}, 2, "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, replies, _ := runDaemon(t, tt.lines...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if tt.wantErr == "" {
				if len(replies) != 0 {
					t.Errorf("replies %v, want none", replies)
				}
				return
			}
			if len(replies) != 1 || !strings.Contains(replies[0]["error"].(string), tt.wantErr) {
				t.Errorf("replies %v, want one error with %q", replies, tt.wantErr)
			}
		})
	}
}
