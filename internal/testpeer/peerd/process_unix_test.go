//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// exitTimeout bounds how long peerd may take to stop its peers and exit.
const exitTimeout = 20 * time.Second

// peerdProcess is peerd running as a child process, driven as Node drives it.
type peerdProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	log   *lockedBuffer
	done  chan struct{} // closed when cmd.Wait returns
	err   error         // cmd.Wait's result, valid after done
}

func startPeerd(t *testing.T) *peerdProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), daemonEnv+"=1")
	p := &peerdProcess{cmd: cmd, log: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.log
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewScanner(stdout)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("peerd log:\n%s", p.log.String())
		}
	})
	return p
}

// ask sends one line and reads its reply into v.
func (p *peerdProcess) ask(t *testing.T, line string, v any) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		t.Fatalf("write %s: %v", line, err)
	}
	if !p.out.Scan() {
		t.Fatalf("no reply to %s: %v", line, p.out.Err())
	}
	if err := json.Unmarshal(p.out.Bytes(), v); err != nil {
		t.Fatalf("reply to %s: %v: %s", line, err, p.out.Text())
	}
}

// waitExit waits for peerd to exit and returns its exit code.
func (p *peerdProcess) waitExit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(exitTimeout):
		t.Fatalf("peerd still running %v after it was told to stop", exitTimeout)
	}
	var exitErr *exec.ExitError
	if errors.As(p.err, &exitErr) {
		return exitErr.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// TestPeerdStopsItsPeers starts kamailio and a baresip registered to it
// through the JSON protocol, checks a few commands, then ends peerd as a
// dying Node process would (its input closes) or as a killed one might
// (SIGTERM), and checks that the peers' processes are gone and the
// temporary files removed.
func TestPeerdStopsItsPeers(t *testing.T) {
	testpeer.Need(t, "kamailio")
	testpeer.Need(t, "baresip")
	tests := []struct {
		name     string
		stop     func(*peerdProcess) error
		wantCode int
	}{
		{"input closes", func(p *peerdProcess) error { return p.stdin.Close() }, 0},
		{"SIGTERM", func(p *peerdProcess) error { return p.cmd.Process.Signal(syscall.SIGTERM) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPeerd(t)
			var started struct {
				OK       bool         `json:"ok"`
				Error    string       `json:"error"`
				Kamailio kamailioInfo `json:"kamailio"`
				Baresip  baresipInfo  `json:"baresip"`
			}
			p.ask(t, `{"kamailio":{"auth":true,"users":{"alice":"pw1","bob":"pw2"}},`+
				`"baresip":{"user":"bob","password":"pw2","autoAnswer":true,"toneHz":700}}`, &started)
			if !started.OK {
				t.Fatalf("start: %s", started.Error)
			}
			k, b := started.Kamailio, started.Baresip
			if !strings.HasPrefix(k.Addr, "127.0.0.1:") || b.URI != "sip:bob@"+k.Addr {
				t.Errorf("kamailio at %q, baresip %q: want bob's AOR at kamailio", k.Addr, b.URI)
			}
			pids := map[string]int{"kamailio": k.PID, "baresip": b.PID}
			for name, pid := range pids {
				if pid <= 0 || syscall.Kill(pid, 0) != nil {
					t.Fatalf("%s pid %d is not running", name, pid)
				}
			}

			var reg struct {
				OK     bool   `json:"ok"`
				Result string `json:"result"`
			}
			p.ask(t, `{"cmd":"baresip.command","name":"reginfo"}`, &reg)
			if !reg.OK || !strings.Contains(reg.Result, "OK") {
				t.Errorf("reginfo: %+v, want bob registered", reg)
			}
			var dtmf struct {
				OK     bool    `json:"ok"`
				Digits *string `json:"digits"`
			}
			p.ask(t, `{"cmd":"baresip.dtmf"}`, &dtmf)
			if !dtmf.OK || dtmf.Digits == nil || *dtmf.Digits != "" {
				t.Errorf("dtmf before any call: %+v, want no digits", dtmf)
			}
			var tone struct {
				OK bool    `json:"ok"`
				Hz float64 `json:"hz"`
			}
			p.ask(t, `{"cmd":"audio.tone","path":"`+b.SourceWAV+`","fromMs":1000,"toMs":2000}`, &tone)
			if !tone.OK || math.Abs(tone.Hz-700) > 5 {
				t.Errorf("baresip's source: %+v, want 700 Hz", tone)
			}

			if err := tt.stop(p); err != nil {
				t.Fatal(err)
			}
			if code := p.waitExit(t); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			for name, pid := range pids {
				// Each peer leads its own process group (kamailio's workers are in it).
				if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("%s process group %d after peerd exited: %v, want ESRCH", name, pid, err)
				}
			}
			if _, err := os.Stat(filepath.Dir(b.SourceWAV)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("temporary files after peerd exited: %v", err)
			}
		})
	}
}

// TestPeerdSIPpCallsBaresip drives a whole call through the protocol: SIPp
// calls an auto-answering baresip, the waits see the call start and end,
// baresip's recording of what it sent carries its tone, and quit exits 0.
func TestPeerdSIPpCallsBaresip(t *testing.T) {
	testpeer.Need(t, "baresip")
	testpeer.Need(t, "sipp")
	p := startPeerd(t)
	var started struct {
		OK      bool        `json:"ok"`
		Error   string      `json:"error"`
		Baresip baresipInfo `json:"baresip"`
	}
	p.ask(t, `{"baresip":{"user":"bob","autoAnswer":true,"toneHz":900}}`, &started)
	if !started.OK {
		t.Fatalf("start: %s", started.Error)
	}

	type result struct {
		OK       bool     `json:"ok"`
		Error    string   `json:"error"`
		ExitCode int      `json:"exitCode"`
		Log      string   `json:"log"`
		Files    []string `json:"files"`
		Hz       float64  `json:"hz"`
	}
	must := func(line string) result {
		t.Helper()
		var r result
		p.ask(t, line, &r)
		if !r.OK {
			t.Fatalf("%s: %s\n%s", line, r.Error, r.Log)
		}
		return r
	}
	must(`{"cmd":"sipp.call","target":"` + started.Baresip.SIPAddr + `","scenario":"uac","service":"bob","pauseMs":1500}`)
	must(`{"cmd":"baresip.wait","event":"CALL_ESTABLISHED","timeoutMs":10000}`)
	if r := must(`{"cmd":"sipp.wait","timeoutMs":20000}`); r.ExitCode != 0 {
		t.Fatalf("sipp exit code %d", r.ExitCode)
	}
	must(`{"cmd":"baresip.wait","event":"CALL_CLOSED","timeoutMs":10000}`)

	var sent string
	for _, f := range must(`{"cmd":"baresip.recorded"}`).Files {
		if strings.HasSuffix(f, "-enc.wav") {
			sent = f
		}
	}
	if sent == "" {
		t.Fatal("no recording of what baresip sent")
	}
	if r := must(`{"cmd":"audio.tone","path":"` + sent + `","fromMs":200,"toMs":1000}`); math.Abs(r.Hz-900) > 10 {
		t.Errorf("baresip sent %v Hz, want its 900 Hz tone", r.Hz)
	}

	var quit result
	p.ask(t, `{"cmd":"quit"}`, &quit)
	if code := p.waitExit(t); !quit.OK || code != 0 {
		t.Errorf("quit: %+v, exit code %d; want ok and 0", quit, code)
	}
}

// lockedBuffer collects the daemon's log from the exec copying goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
