package main

import (
	"errors"
	"testing"
)

// FuzzParseCommand: any line either parses into a known command with no
// negative durations or is refused with errBadLine or errUnknownCommand; it
// never panics.
func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{
		`{"cmd":"baresip.dtmf"}`,
		`{"cmd":"baresip.wait","event":"CALL_ESTABLISHED","timeoutMs":10000}`,
		`{"cmd":"baresip.command","name":"hangup","params":""}`,
		`{"cmd":"audio.tone","path":"x.wav","fromMs":500,"toMs":1500}`,
		`{"cmd":"sipp.call","target":"127.0.0.1:5060","scenario":"uac_pcap_dtmf.xml","service":"alice"}`,
		`{"cmd":"quit"}`,
		`{"cmd":"sipp.wait","timeoutMs":-5}`,
		`{"cmd":"fly"}`,
		`{} {}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := parseCommand(line)
		if err != nil {
			if !errors.Is(err, errBadLine) && !errors.Is(err, errUnknownCommand) {
				t.Fatalf("%q: error %v is neither a bad line nor an unknown command", line, err)
			}
			return
		}
		if _, known := handlers[c.Cmd]; !known && c.Cmd != "quit" {
			t.Fatalf("%q: accepted unknown command %q", line, c.Cmd)
		}
		if c.TimeoutMs < 0 || c.FromMs < 0 || c.ToMs < 0 || c.PauseMs < 0 || c.Calls < 0 {
			t.Fatalf("%q: accepted negative values %+v", line, c)
		}
	})
}
