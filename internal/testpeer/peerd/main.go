// Command peerd starts real SIP peers (kamailio, baresip, SIPp) for tests that are
// not written in Go: the browser tests in web/tests drive it over JSON lines on its
// standard input and output (web/tests/peers.mjs). It is a test tool, never shipped.
//
// The first input line says what to start; peerd answers with their addresses.
// Every later line is a command with one answer line. When its input closes (the
// test ended or died), peerd stops every process it started and exits.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// spec is the first input line.
type spec struct {
	Kamailio *struct {
		Users map[string]string `json:"users"`
	} `json:"kamailio"`
	Baresip *struct {
		User       string  `json:"user"`
		Password   string  `json:"password"`
		AutoAnswer bool    `json:"autoAnswer"`
		ToneHz     float64 `json:"toneHz"`
	} `json:"baresip"`
}

// command is every later input line.
type command struct {
	Cmd       string `json:"cmd"`
	Name      string `json:"name"`
	Params    string `json:"params"`
	Event     string `json:"event"`
	TimeoutMs int    `json:"timeoutMs"`
	Target    string `json:"target"`
	Scenario  string `json:"scenario"`
	Service   string `json:"service"`
	PauseMs   int    `json:"pauseMs"`
}

func main() {
	d := newDaemon()
	code := d.run(bufio.NewScanner(os.Stdin), json.NewEncoder(os.Stdout))
	d.cleanup()
	os.Exit(code)
}

type daemon struct {
	tb      *tb
	kam     *testpeer.Kamailio
	baresip *testpeer.Baresip
	sipp    *testpeer.SIPpRun
}

func newDaemon() *daemon { return &daemon{tb: newTB()} }

func (d *daemon) cleanup() { d.tb.runCleanups() }

func (d *daemon) run(in *bufio.Scanner, out *json.Encoder) (code int) {
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(fatal); ok {
				_ = out.Encode(map[string]any{"ok": false, "error": string(f)})
				code = 1
				return
			}
			panic(r)
		}
	}()
	in.Buffer(make([]byte, 64<<10), 1<<20)
	if !in.Scan() {
		return 0
	}
	var s spec
	if err := json.Unmarshal(in.Bytes(), &s); err != nil {
		_ = out.Encode(map[string]any{"ok": false, "error": "bad start line: " + err.Error()})
		return 2
	}
	_ = out.Encode(d.start(s))
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			_ = out.Encode(map[string]any{"ok": false, "error": "bad command: " + err.Error()})
			continue
		}
		if c.Cmd == "quit" {
			_ = out.Encode(map[string]any{"ok": true})
			return 0
		}
		_ = out.Encode(d.do(c))
	}
	return 0
}

func (d *daemon) start(s spec) map[string]any {
	reply := map[string]any{"ok": true}
	if s.Kamailio != nil {
		d.kam = testpeer.StartKamailio(d.tb, testpeer.KamailioOptions{Auth: true, Users: s.Kamailio.Users})
		reply["kamailio"] = map[string]any{"addr": d.kam.Addr}
	}
	if b := s.Baresip; b != nil {
		hz := b.ToneHz
		if hz == 0 {
			hz = 700
		}
		wav := filepath.Join(d.tb.TempDir(), "baresip-source.wav")
		writeTone(d.tb, wav, hz, 120*time.Second)
		opts := testpeer.BaresipOptions{User: b.User, Password: b.Password, AutoAnswer: b.AutoAnswer, SourceWAV: wav, Record: true}
		if d.kam != nil {
			opts.Registrar = d.kam.Addr
		}
		d.baresip = testpeer.StartBaresip(d.tb, opts)
		if d.kam != nil {
			d.baresip.WaitRegistered(d.tb, 10*time.Second)
		}
		info := map[string]any{"user": b.User}
		if d.kam != nil {
			info["uri"] = fmt.Sprintf("sip:%s@%s", b.User, d.kam.Addr)
		}
		reply["baresip"] = info
	}
	return reply
}

func (d *daemon) do(c command) map[string]any {
	fail := func(msg string) map[string]any { return map[string]any{"ok": false, "error": msg} }
	needBaresip := strings.HasPrefix(c.Cmd, "baresip.")
	if needBaresip && d.baresip == nil {
		return fail("no baresip was started")
	}
	switch c.Cmd {
	case "baresip.dtmf":
		return map[string]any{"ok": true, "digits": d.baresip.DTMFReceived()}
	case "baresip.events":
		return map[string]any{"ok": true, "events": d.baresip.Events()}
	case "baresip.command":
		res, err := d.baresip.Command(d.tb, c.Name, c.Params)
		if err != nil {
			return fail(err.Error())
		}
		return map[string]any{"ok": true, "result": res}
	case "baresip.wait":
		deadline := time.Now().Add(time.Duration(max(c.TimeoutMs, 100)) * time.Millisecond)
		for time.Now().Before(deadline) {
			for _, ev := range d.baresip.Events() {
				if ev.Type == c.Event {
					return map[string]any{"ok": true, "event": ev}
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fail("no " + c.Event + " event")
	case "baresip.recorded":
		return map[string]any{"ok": true, "files": d.baresip.RecordedWAVs()}
	case "sipp.call":
		if c.Target == "" {
			return fail("target is required")
		}
		scenario := c.Scenario
		if scenario == "" {
			scenario = "uac"
		}
		if strings.HasSuffix(scenario, ".xml") && !filepath.IsAbs(scenario) {
			scenario = testpeer.ScenarioPath(d.tb, scenario)
		}
		extra := []string{"-d", fmt.Sprint(max(c.PauseMs, 1000))}
		d.sipp = testpeer.RunSIPp(d.tb, testpeer.SIPpOptions{Scenario: scenario, Target: c.Target, Service: c.Service, Extra: extra})
		return map[string]any{"ok": true, "port": d.sipp.LocalPort}
	case "sipp.wait":
		if d.sipp == nil {
			return fail("no SIPp run")
		}
		code, log := d.sipp.Wait(d.tb, time.Duration(max(c.TimeoutMs, 1000))*time.Millisecond)
		return map[string]any{"ok": code == 0, "exitCode": code, "log": log}
	}
	return fail("unknown command " + c.Cmd)
}

func writeTone(t testpeer.TB, path string, hz float64, d time.Duration) {
	w, err := audio.CreateWAV(path, audio.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	src := audio.NewToneSource(hz, 8000)
	frame := make([]int16, audio.FrameSamples)
	for range int(d / (audio.FrameMillis * time.Millisecond)) {
		src.ReadFrame(frame)
		w.WriteFrame(frame)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
