package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// Waits without a timeoutMs get these.
const (
	defaultEventTimeout = 10 * time.Second
	defaultSIPpTimeout  = 30 * time.Second
	// defaultSIPpPause is how long SIPp's built-in scenarios hold the call
	// (-d) unless pauseMs says otherwise.
	defaultSIPpPause = time.Second
)

// command is every line after the start line. Which fields matter depends on
// Cmd; see handlers.
type command struct {
	Cmd       string `json:"cmd"`
	Name      string `json:"name"`      // baresip.command: the ctrl_tcp command
	Params    string `json:"params"`    // baresip.command: its parameters
	Event     string `json:"event"`     // baresip.wait: the event type
	TimeoutMs int    `json:"timeoutMs"` // baresip.wait, sipp.wait
	Path      string `json:"path"`      // audio.tone: the WAV file
	FromMs    int    `json:"fromMs"`    // audio.tone: segment start
	ToMs      int    `json:"toMs"`      // audio.tone: segment end; 0 for the end of the file
	Target    string `json:"target"`    // sipp.call: "host:port" to call
	Scenario  string `json:"scenario"`  // sipp.call: built-in name or one of testpeer's .xml
	Service   string `json:"service"`   // sipp.call: the request URI's user
	PauseMs   int    `json:"pauseMs"`   // sipp.call: -d, the built-in scenarios' call length
	Calls     int    `json:"calls"`     // sipp.call: -m; 1 if 0
	// Keys are sipp.call's scenario keywords (-key name value), e.g. the counts
	// uac_publish_mwi.xml publishes.
	Keys map[string]string `json:"keys"`
}

// reply is one output line.
type reply map[string]any

func success() reply { return reply{"ok": true} }

func failure(err error) reply { return reply{"ok": false, "error": err.Error()} }

// handler runs one command and returns the reply's fields besides "ok".
type handler func(d *daemon, c command) (reply, error)

// handlers maps command names to their handlers. "quit" is handled by run.
var handlers = map[string]handler{
	"baresip.dtmf":     (*daemon).baresipDTMF,
	"baresip.events":   (*daemon).baresipEvents,
	"baresip.wait":     (*daemon).baresipWait,
	"baresip.command":  (*daemon).baresipCommand,
	"baresip.recorded": (*daemon).baresipRecorded,
	"audio.tone":       (*daemon).audioTone,
	"sipp.call":        (*daemon).sippCall,
	"sipp.wait":        (*daemon).sippWait,
}

// parseCommand decodes and checks one command line.
func parseCommand(line []byte) (command, error) {
	var c command
	if err := strictJSON(line, &c); err != nil {
		return command{}, fmt.Errorf("%w: %v", errBadLine, err)
	}
	if _, ok := handlers[c.Cmd]; !ok && c.Cmd != "quit" {
		return command{}, fmt.Errorf("%w %q", errUnknownCommand, c.Cmd)
	}
	for name, v := range map[string]int{"timeoutMs": c.TimeoutMs, "fromMs": c.FromMs, "toMs": c.ToMs, "pauseMs": c.PauseMs, "calls": c.Calls} {
		if v < 0 {
			return command{}, fmt.Errorf("%w: %s is negative", errBadLine, name)
		}
	}
	return c, nil
}

// strictJSON decodes one JSON object into v, refusing unknown fields (a
// misspelt option fails loudly) and trailing data.
func strictJSON(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the object")
	}
	return nil
}

// do runs c and builds its reply.
func (d *daemon) do(c command) reply {
	fields, err := handlers[c.Cmd](d, c)
	if err != nil {
		return failure(fmt.Errorf("%s: %w", c.Cmd, err))
	}
	r := success()
	for k, v := range fields {
		r[k] = v
	}
	return r
}

func (d *daemon) needBaresip() error {
	if d.baresip == nil {
		return fmt.Errorf("baresip %w", errNotStarted)
	}
	return nil
}

// baresipDTMF: {"digits": the RFC 4733 digits baresip received so far}.
func (d *daemon) baresipDTMF(command) (reply, error) {
	if err := d.needBaresip(); err != nil {
		return nil, err
	}
	return reply{"digits": d.baresip.DTMFReceived()}, nil
}

// baresipEvents: {"events": every ctrl_tcp event so far}.
func (d *daemon) baresipEvents(command) (reply, error) {
	if err := d.needBaresip(); err != nil {
		return nil, err
	}
	return reply{"events": d.baresip.Events()}, nil
}

// baresipWait: {"event": the first event of that type not returned by an
// earlier wait}, so that two waits for CALL_CLOSED see two calls end.
func (d *daemon) baresipWait(c command) (reply, error) {
	if err := d.needBaresip(); err != nil {
		return nil, err
	}
	if c.Event == "" {
		return nil, fmt.Errorf("%w: event is required", errBadLine)
	}
	timeout := millis(c.TimeoutMs, defaultEventTimeout)
	ev, ok := d.baresip.NextEvent(c.Event, timeout)
	if !ok {
		return nil, fmt.Errorf("%w: no %s event within %v", errTimeout, c.Event, timeout)
	}
	return reply{"event": ev}, nil
}

// baresipCommand: {"result": the response of any ctrl_tcp command (dial,
// hangup, hold, resume, sndcode, reginfo...)}.
func (d *daemon) baresipCommand(c command) (reply, error) {
	if err := d.needBaresip(); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, fmt.Errorf("%w: name is required", errBadLine)
	}
	res, err := d.baresip.Command(d.tb, c.Name, c.Params)
	if err != nil {
		return nil, err
	}
	return reply{"result": res}, nil
}

// baresipRecorded: {"files": the recorded WAVs, per call a dump-*-dec.wav
// (what baresip heard) and a dump-*-enc.wav (what it sent)}.
func (d *daemon) baresipRecorded(command) (reply, error) {
	if err := d.needBaresip(); err != nil {
		return nil, err
	}
	files := d.baresip.RecordedWAVs()
	if files == nil {
		files = []string{} // [] rather than null for the Node side
	}
	return reply{"files": files}, nil
}

// audioTone: the dominant frequency and level of a WAV segment; see
// analyseWAV.
func (d *daemon) audioTone(c command) (reply, error) {
	if c.Path == "" {
		return nil, fmt.Errorf("%w: path is required", errBadLine)
	}
	t, err := analyseWAV(c.Path, c.FromMs, c.ToMs)
	if err != nil {
		return nil, err
	}
	return reply{"hz": t.Hz, "rms": t.RMS, "dbfs": t.DBFS, "ms": t.Ms}, nil
}

// sippCall starts SIPp in the background, calling c.Target: {"port": its
// SIP port}. One run at a time; sipp.wait collects it.
func (d *daemon) sippCall(c command) (reply, error) {
	if c.Target == "" {
		return nil, fmt.Errorf("%w: target is required", errBadLine)
	}
	scenario := c.Scenario
	if scenario == "" {
		scenario = "uac"
	}
	if strings.HasSuffix(scenario, ".xml") {
		scenario = testpeer.ScenarioPath(d.tb, filepath.Base(scenario))
	}
	if d.sipp != nil {
		d.sipp.Kill() // a run nobody waited for
	}
	pause := millis(c.PauseMs, defaultSIPpPause)
	extra := []string{"-d", strconv.FormatInt(pause.Milliseconds(), 10)}
	for _, k := range slices.Sorted(maps.Keys(c.Keys)) {
		extra = append(extra, "-key", k, c.Keys[k])
	}
	d.sipp = testpeer.RunSIPp(d.tb, testpeer.SIPpOptions{
		Scenario: scenario, Target: c.Target, Service: c.Service, Calls: c.Calls, Extra: extra,
	})
	return reply{"port": d.sipp.LocalPort, "pid": d.sipp.PID()}, nil
}

// sippWait waits for the SIPp run: {"exitCode", "log"}, and an error unless
// it exited with 0 (every call succeeded).
func (d *daemon) sippWait(c command) (reply, error) {
	if d.sipp == nil {
		return nil, fmt.Errorf("sipp %w", errNotStarted)
	}
	code, log := d.sipp.Wait(d.tb, millis(c.TimeoutMs, defaultSIPpTimeout))
	d.sipp = nil
	r := reply{"exitCode": code, "log": log}
	if code != 0 {
		// The reply still carries the code and log: sipp.wait's caller
		// reads them either way.
		r["ok"] = false
		r["error"] = fmt.Sprintf("sipp.wait: %v: exit code %d", errSIPpFailed, code)
	}
	return r, nil
}

// millis is ms milliseconds, or def when ms is 0.
func millis(ms int, def time.Duration) time.Duration {
	if ms == 0 {
		return def
	}
	return time.Duration(ms) * time.Millisecond
}
