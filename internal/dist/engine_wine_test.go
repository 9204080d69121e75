package dist

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

const (
	engineHz  = 1000.0 // the Windows engine's microphone
	baresipHz = 700.0  // the far phone's
)

// The Windows engine under wine: the released one prints its version; then the
// engine runs: /health and the WebSocket hello carry the version, the CLI reaches
// it over its admin named pipe, and it registers at kamailio and calls baresip on
// the Linux side with the null audio backend, each side hearing the other's tone.
// Where wine refuses Go's UDP sockets (wine 8: no SIO_UDP_NETRESET), the engine
// that runs is the release built through the overlay that tolerates it
// (wineEngine); the released engine's /health under that wine is the installer
// tests' (sip.udp false).
func TestWindowsEngineUnderWine(t *testing.T) {
	t.Parallel()
	a := dist(t)
	p := newPrefix(t)
	if out := p.run(t, time.Minute, wine64, a.windows, "version"); !strings.HasPrefix(out, "wpservice "+testVersion+" ") {
		t.Errorf("version printed %q", out)
	}
	exe := a.windows
	if ok, why := p.udpWorks(t); !ok {
		t.Logf("this wine cannot open Go's UDP sockets (%s): running the engine built to tolerate it", why)
		exe = wineEngine(t)
	}

	dir := t.TempDir()
	mic, speaker, dataDir := filepath.Join(dir, "mic.wav"), filepath.Join(dir, "speaker.wav"), filepath.Join(dir, "data")
	writeTone(t, mic, engineHz, 2*time.Second, audio.SampleRate)
	port, sipPort := testpeer.FreePort(t), testpeer.FreePort(t)
	const crm = "https://crm.example.com"
	settings := map[string]any{
		"control": map[string]any{"port": port, "fallbackPorts": []int{}, "allowedOrigins": []string{crm}},
		"sip":     map[string]any{"listenIP": "127.0.0.1", "udp": true, "udpPort": sipPort, "tcpPort": sipPort},
		"audio": map[string]any{"backend": "null", "input": "wav", "inputFile": winPath(mic),
			"output": "wav", "outputFile": winPath(speaker)},
		"dataDir": winPath(dataDir),
	}
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	bobWAV := filepath.Join(dir, "bob.wav")
	writeTone(t, bobWAV, baresipHz, 60*time.Second, 8000)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr, AutoAnswer: true, SourceWAV: bobWAV, Record: true})
	bob.WaitRegistered(t, 10*time.Second)
	settings["account"] = map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}
	cfg := filepath.Join(dir, "config.json")
	writeJSON(t, cfg, settings)
	ctx, cancel := context.WithCancel(context.Background())
	engine := p.command(ctx, wine64, exe, "run", "--config", winPath(cfg))
	var log lockedBuffer
	engine.Stdout, engine.Stderr = &log, &log
	if err := engine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		engine.Wait()
		if t.Failed() {
			t.Logf("engine log:\n%s", log.String())
		}
	})
	waitHealthy(t, port, 90*time.Second)
	if h := health(t, port); h.Version != testVersion || h.Protocol != api.ProtocolVersion {
		t.Errorf("/health: %+v, want version %q protocol %d", h, testVersion, api.ProtocolVersion)
	}

	c := connect(t, port, dataDir)
	if c.hello.Protocol != api.ProtocolVersion || c.hello.Version != testVersion {
		t.Errorf("hello: protocol %d version %q, want %d %q", c.hello.Protocol, c.hello.Version, api.ProtocolVersion, testVersion)
	}
	checkAdminPipe(t, p, exe, cfg, crm)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.event(api.EvRegState, 30*time.Second, func(data []byte) bool { return strings.Contains(string(data), `"`+api.RegRegistered+`"`) })
	}

	var res api.DialResult
	c.do(api.CmdCallDial.Name, map[string]any{"to": "bob"}, &res)
	c.callState(res.CallID, api.CallActive, 30*time.Second)
	bob.WaitEvent(t, "CALL_ESTABLISHED", 10*time.Second)
	awaitFarAudio(c, 30*time.Second)
	c.do(api.CmdCallHangup.Name, map[string]any{"callId": res.CallID}, nil)
	c.callState(res.CallID, api.CallEnded, 10*time.Second)
	bob.WaitEvent(t, "CALL_CLOSED", 10*time.Second)

	// The speaker's file is complete once the engine has let the device go.
	var hz, rms float64
	waitFor(t, 10*time.Second, func() bool {
		hz, rms = loudestInFile(speaker)
		return math.Abs(hz-baresipHz) <= 15 && rms >= 500
	}, func() string { return "the engine's speaker" })
	var dec string
	for _, f := range bob.RecordedWAVs() {
		if strings.Contains(f, "-dec") {
			dec = f
		}
	}
	if hz, rms := loudestInFile(dec); math.Abs(hz-engineHz) > 15 || rms < 500 {
		t.Errorf("baresip heard %.0f Hz at RMS %.0f, want the Windows engine's %.0f Hz (recordings %v)", hz, rms, engineHz, bob.RecordedWAVs())
	}
}

// checkAdminPipe runs "wpservice pair list" with the engine's config: the CLI finds
// the engine's named pipe and lists the provisioned origin, the first time (under
// wine, go-winio's listener once lost the first client; adminsock's keeps no
// instance a client could reach without being served).
func checkAdminPipe(t *testing.T, p *prefix, exe, cfg, origin string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := p.command(ctx, wine64, exe, "pair", "list", "--config", winPath(cfg)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), origin) {
		t.Errorf("the first pair list over the admin pipe: %v, printed %q; want the provisioned %s", err, out, origin)
	}
}

// awaitFarAudio waits until the engine has played the far end's audio for two
// seconds in a row (twenty 100 ms level reports above -30 dBFS).
func awaitFarAudio(c *client, d time.Duration) {
	c.t.Helper()
	c.do(api.CmdEventsSubscribe.Name, map[string]any{"levels": true}, nil)
	loud := 0
	c.event(api.EvAudioLevel, d, func(data []byte) bool {
		var lv api.Levels
		if err := json.Unmarshal(data, &lv); err != nil || lv.Output <= -30 {
			loud = 0
			return false
		}
		loud++
		return loud >= 20
	})
	c.do(api.CmdEventsSubscribe.Name, map[string]any{"levels": false}, nil)
}

// loudestInFile returns the dominant frequency and RMS of the loudest second of a
// WAV file, or zeros while it is missing or incomplete.
func loudestInFile(path string) (hz, rms float64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	info, pcm, err := audio.ParseWAV(f)
	if err != nil {
		return 0, 0
	}
	if info.SampleRate != audio.SampleRate {
		pcm = audio.Resample(pcm, info.SampleRate, audio.SampleRate)
	}
	const win = audio.SampleRate
	var best []int16
	for i := 0; i+win <= len(pcm); i += win / 2 {
		if r := audio.RMS(pcm[i : i+win]); r > rms {
			rms, best = r, pcm[i:i+win]
		}
	}
	if best == nil {
		return 0, 0
	}
	return audio.DominantFrequency(best, audio.SampleRate, 200, 3500, 10), rms
}

// writeTone writes d of a sine of hz at rate: the engine's microphone takes any
// rate; baresip's aufile takes G.711's 8 kHz only.
func writeTone(t *testing.T, path string, hz float64, d time.Duration, rate int) {
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

// waitFor polls cond until it holds, for at most d.
func waitFor(t *testing.T, d time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", d, what())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer collects a process's output from its copying goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
