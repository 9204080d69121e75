package e2e

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

var binary string

func TestMain(m *testing.M) {
	if addr := os.Getenv(otherUserDialEnv); addr != "" {
		os.Exit(dialAsOtherUser(addr))
	}
	dir, err := os.MkdirTemp("", "wpservice-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "wpservice")
	build := exec.Command("go", "build", "-o", binary, "github.com/wpservice/wpservice/cmd/wpservice")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building wpservice:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// engine is one running wpservice process.
type engine struct {
	cmd     *exec.Cmd
	port    int    // control API
	sipPort int    // SIP UDP and TCP
	dataDir string // token, stored account
	cfgPath string // the config file it runs on
	outWAV  string // what the engine's speaker played
	logMu   sync.Mutex
	log     bytes.Buffer
	logged  chan struct{} // closed and replaced by every write to log
	exited  chan error
	netns   netns // where it runs; nil: the test's namespace
}

// netns is a network namespace the engine can run in (a *testpeer.Namespace):
// the test reaches the engine's control API on that namespace's loopback.
type netns interface {
	Command(t testpeer.TB, bin string, args ...string) *exec.Cmd
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

type engineOptions struct {
	account map[string]any // provisioned account, or nil
	inputHz float64        // the tone the engine's microphone "hears"
	// inputRate is the rate of the microphone's WAV; 0 is 8 kHz. A tone
	// above 4 kHz needs a wideband one.
	inputRate int
	settings  map[string]any
	sip       map[string]any       // sip fields over the loopback ones (listenIP...)
	control   map[string]any       // extra control fields (tls, origins...)
	remote    map[string]any       // the remote section, or nil
	prepare   func(dataDir string) // runs before the engine starts
	// audio replaces fields of the audio section (WAV in and out on the null
	// backend); env is added to the engine's environment.
	audio map[string]any
	env   []string
	// netns runs the engine in a network namespace (the desk behind a NAT);
	// its control API is then on that namespace's 127.0.0.1, which the test
	// dials from inside it. Nil: the test's own namespace.
	netns netns
}

// startEngine runs wpservice on free loopback ports with WAV audio: the microphone
// plays a tone, the speaker records to outWAV.
func startEngine(t *testing.T, o engineOptions) *engine {
	t.Helper()
	dir := t.TempDir()
	e := &engine{port: testpeer.FreePort(t), sipPort: testpeer.FreePort(t), dataDir: filepath.Join(dir, "data"),
		outWAV: filepath.Join(dir, "speaker.wav"), exited: make(chan error, 1), netns: o.netns}
	if o.inputHz == 0 {
		o.inputHz = 1000
	}
	inWAV := filepath.Join(dir, "mic.wav")
	writeToneAt(t, inWAV, o.inputHz, 2*time.Second, cmp.Or(o.inputRate, 8000))
	settings := map[string]any{"rtpTimeout": 30, "maxLines": 4, "dtmfDelayMs": 500}
	for k, v := range o.settings {
		settings[k] = v
	}
	control := map[string]any{"port": e.port, "fallbackPorts": []int{}}
	for k, v := range o.control {
		control[k] = v
	}
	sip := map[string]any{"listenIP": "127.0.0.1", "udpPort": e.sipPort, "tcpPort": e.sipPort}
	for k, v := range o.sip {
		sip[k] = v
	}
	audio := map[string]any{"backend": "null", "input": "wav", "inputFile": inWAV, "output": "wav", "outputFile": e.outWAV}
	for k, v := range o.audio {
		audio[k] = v
	}
	if o.prepare != nil {
		o.prepare(e.dataDir)
	}
	cfg := map[string]any{
		"control":  control,
		"sip":      sip,
		"audio":    audio,
		"settings": settings,
		"log":      map[string]any{"level": "debug"},
		"dataDir":  e.dataDir,
	}
	if o.account != nil {
		cfg["account"] = o.account
	}
	if o.remote != nil {
		cfg["remote"] = o.remote
	}
	e.cfgPath = filepath.Join(dir, "config.json")
	data, _ := json.Marshal(cfg)
	if err := os.WriteFile(e.cfgPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if e.netns != nil {
		e.cmd = e.netns.Command(t, binary, "run", "--config", e.cfgPath)
	} else {
		e.cmd = exec.Command(binary, "run", "--config", e.cfgPath)
	}
	if o.env != nil {
		e.cmd.Env = append(e.cmd.Environ(), o.env...)
	}
	e.cmd.Stdout = e
	e.cmd.Stderr = e
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { e.exited <- e.cmd.Wait() }()
	t.Cleanup(func() {
		e.stop(t)
		if t.Failed() {
			t.Logf("engine log:\n%s", e.logText())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	health := &http.Client{Transport: &http.Transport{DialContext: e.dialContext}}
	defer health.CloseIdleConnections()
	for {
		resp, err := health.Get(fmt.Sprintf("http://127.0.0.1:%d/health", e.port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine did not come up:\n%s", e.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dialContext dials the engine's control API where the engine runs.
func (e *engine) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if e.netns != nil {
		return e.netns.DialContext(ctx, network, addr)
	}
	return new(net.Dialer).DialContext(ctx, network, addr)
}

func (e *engine) Write(p []byte) (int, error) {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if e.logged != nil {
		close(e.logged)
	}
	e.logged = make(chan struct{})
	return e.log.Write(p)
}

// waitLog waits up to d for the engine's log to contain every one of subs, and
// reports whether it did.
func (e *engine) waitLog(d time.Duration, subs ...string) bool {
	deadline := time.After(d)
	for {
		e.logMu.Lock()
		text, next := e.log.String(), e.logged
		if next == nil {
			next = make(chan struct{})
			e.logged = next
		}
		e.logMu.Unlock()
		all := true
		for _, s := range subs {
			all = all && strings.Contains(text, s)
		}
		if all {
			return true
		}
		select {
		case <-next:
		case <-deadline:
			return false
		}
	}
}

func (e *engine) logText() string {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return e.log.String()
}

// stop sends SIGTERM and waits; it reports how long the engine took to exit.
func (e *engine) stop(t *testing.T) time.Duration {
	if e.cmd.ProcessState != nil {
		return 0
	}
	start := time.Now()
	e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
		e.cmd.Process.Kill()
		<-e.exited
		t.Errorf("engine did not exit within 5 s of SIGTERM")
	}
	return time.Since(start)
}

func (e *engine) token(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dataDir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (e *engine) sipAddr() string { return fmt.Sprintf("127.0.0.1:%d", e.sipPort) }

// client is a WebSocket connection to the engine.
type client struct {
	t      *testing.T
	conn   *websocket.Conn
	hello  api.Hello
	mu     sync.Mutex
	nextID int
	resp   map[string]chan response
	events chan event
}

type response struct {
	ID     string          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *api.Error      `json:"error"`
}

type event struct {
	Seq   uint64          `json:"seq"`
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

func (e *engine) connect(t *testing.T) *client {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + e.token(t)}}
	dialer := *websocket.DefaultDialer
	dialer.NetDialContext = e.dialContext
	conn, _, err := dialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", e.port), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, resp: map[string]chan response{}, events: make(chan event, 1000)}
	var first event
	if err := conn.ReadJSON(&first); err != nil || first.Event != api.EvHello {
		t.Fatalf("first message %+v, %v", first, err)
	}
	if err := json.Unmarshal(first.Data, &c.hello); err != nil {
		t.Fatal(err)
	}
	go c.read()
	return c
}

func (c *client) read() {
	defer close(c.events)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		var probe struct {
			ID *string `json:"id"`
		}
		json.Unmarshal(data, &probe)
		if probe.ID != nil {
			var r response
			json.Unmarshal(data, &r)
			c.mu.Lock()
			ch := c.resp[r.ID]
			c.mu.Unlock()
			if ch != nil {
				ch <- r
			}
			continue
		}
		var ev event
		if json.Unmarshal(data, &ev) == nil {
			c.events <- ev
		}
	}
}

// do sends a command and returns its response.
func (c *client) do(cmd string, args any) response {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := fmt.Sprint(c.nextID)
	ch := make(chan response, 1)
	c.resp[id] = ch
	c.mu.Unlock()
	if err := c.conn.WriteJSON(map[string]any{"id": id, "cmd": cmd, "args": args}); err != nil {
		c.t.Fatal(err)
	}
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		c.t.Fatalf("%s: no response", cmd)
	}
	return response{}
}

func (c *client) mustDo(cmd string, args any, result any) {
	c.t.Helper()
	r := c.do(cmd, args)
	if !r.OK {
		c.t.Fatalf("%s: %+v", cmd, r.Error)
	}
	if result != nil {
		if err := json.Unmarshal(r.Result, result); err != nil {
			c.t.Fatal(err)
		}
	}
}

// next returns the next event named name for which match returns true, failing after
// timeout. Events of other names are skipped; seq must increase throughout.
func (c *client) next(name string, timeout time.Duration, match func(json.RawMessage) bool) json.RawMessage {
	c.t.Helper()
	deadline := time.After(timeout)
	var skipped []string
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatalf("connection closed waiting for %s", name)
			}
			if ev.Event == name && (match == nil || match(ev.Data)) {
				return ev.Data
			}
			skipped = append(skipped, ev.Event+" "+string(ev.Data))
		case <-deadline:
			c.t.Fatalf("no %s event within %v; skipped: %s", name, timeout, strings.Join(skipped, "\n"))
		}
	}
}

// callStates collects the call.state events of one call until it ends or timeout.
func (c *client) callStates(callID string, until string, timeout time.Duration) []api.CallState {
	c.t.Helper()
	var out []api.CallState
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatalf("connection closed; call states so far %v", states(out))
			}
			if ev.Event != api.EvCallState {
				continue
			}
			var cs api.CallState
			json.Unmarshal(ev.Data, &cs)
			if cs.CallID != callID {
				continue
			}
			out = append(out, cs)
			if cs.State == until {
				return out
			}
		case <-deadline:
			c.t.Fatalf("call %s did not reach %s within %v; states %v", callID, until, timeout, states(out))
		}
	}
}

func states(cs []api.CallState) []string {
	var s []string
	for _, c := range cs {
		s = append(s, c.State)
	}
	return s
}

// writeTone writes a WAV of a tone at 8 kHz: what baresip's aufile plays into a
// G.711 call, whose rate it must have.
func writeTone(t *testing.T, path string, hz float64, d time.Duration) {
	t.Helper()
	writeToneAt(t, path, hz, d, 8000)
}

// writeToneAt writes a WAV of a tone at rate (a peak of 8000).
func writeToneAt(t *testing.T, path string, hz float64, d time.Duration, rate int) {
	t.Helper()
	w, err := audio.CreateWAV(path, rate)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, rate*audio.FrameMillis/1000)
	n := 0
	for range int(d / (audio.FrameMillis * time.Millisecond)) {
		for i := range frame {
			frame[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(n)/float64(rate)))
			n++
		}
		w.WriteFrame(frame)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// readWAV returns the samples of a WAV file at the engine's rate.
func readWAV(t *testing.T, path string) []int16 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, pcm, err := audio.ParseWAV(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if info.SampleRate != audio.SampleRate {
		pcm = audio.Resample(pcm, info.SampleRate, audio.SampleRate)
	}
	return pcm
}

// loudest returns the dominant frequency and RMS of the loudest second of pcm.
func loudest(pcm []int16) (hz, rms float64) {
	const win = audio.SampleRate
	best := 0.0
	var bestWin []int16
	for i := 0; i+win <= len(pcm); i += win / 2 {
		if r := audio.RMS(pcm[i : i+win]); r > best {
			best, bestWin = r, pcm[i:i+win]
		}
	}
	if bestWin == nil {
		return 0, 0
	}
	return audio.DominantFrequency(bestWin, audio.SampleRate, 200, 3500, 10), best
}

// awaitFarAudio waits until the engine has played the far end's audio for two
// seconds: twenty audio.level windows (100 ms each) in a row with the speaker above
// -30 dBFS, enough for a recording's loudest-second analysis. It subscribes c to the
// levels, so call it once a call is active.
func (c *client) awaitFarAudio(timeout time.Duration) {
	c.t.Helper()
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"levels": true}, nil)
	deadline := time.Now().Add(timeout)
	loud := 0
	for loud < 20 {
		left := time.Until(deadline)
		if left <= 0 {
			c.t.Fatalf("the engine did not play the far end's audio within %v", timeout)
		}
		var lv api.Levels
		if err := json.Unmarshal(c.next(api.EvAudioLevel, left, nil), &lv); err != nil {
			c.t.Fatal(err)
		}
		if lv.Output > -30 {
			loud++
		} else {
			loud = 0
		}
	}
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"levels": false}, nil)
}

// decodedDump returns the one recording of what b received and decoded.
func decodedDump(t *testing.T, b *testpeer.Baresip) string {
	t.Helper()
	var dec []string
	for _, f := range b.RecordedWAVs() {
		if strings.HasSuffix(f, "-dec.wav") {
			dec = append(dec, f)
		}
	}
	if len(dec) != 1 {
		t.Fatalf("%s: want one decoded recording, have %v", b.URI, b.RecordedWAVs())
	}
	return dec[0]
}

// takeCallFrom answers the call far is placing to the engine, as the page does: it
// waits up to ringWithin for the incoming call to ring, answers it, waits until both sides are in the
// call and the engine has played far's audio for two seconds, then far hangs up. It
// returns the call's active state.
func (c *client) takeCallFrom(far *testpeer.Baresip, ringWithin time.Duration) api.CallState {
	c.t.Helper()
	var in api.CallState
	json.Unmarshal(c.next(api.EvCallState, ringWithin, func(d json.RawMessage) bool {
		json.Unmarshal(d, &in)
		return in.State == api.CallRinging && in.Direction == api.DirIncoming
	}), &in)
	c.mustDo(api.CmdCallAnswer.Name, map[string]any{"callId": in.CallID}, nil)
	got := c.callStates(in.CallID, api.CallActive, 5*time.Second)
	far.WaitEvent(c.t, testpeer.EventCallEstablished, 5*time.Second)
	c.awaitFarAudio(10 * time.Second)
	far.Hangup(c.t)
	c.callStates(in.CallID, api.CallEnded, 5*time.Second)
	return got[len(got)-1]
}
