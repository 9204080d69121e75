package testpeer

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// tailLines is how much of a peer's log a failing test prints.
const tailLines = 60

// portAttempts is how many times a peer is started on freshly picked ports
// when the ones it got were taken between FreePort and its bind.
const portAttempts = 3

// stopGrace is how long a peer gets to exit on SIGTERM before SIGKILL.
const stopGrace = 3 * time.Second

// process is one peer binary started directly (so the recorded PID is the
// binary's own), with stdout and stderr captured in a log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once the process has exited
	waitErr error         // cmd.Wait's result, valid after done
}

// startProcess runs bin with args in dir. A cleanup stops it by PID and,
// when the test failed, prints the tail of its log.
func startProcess(t TB, name, dir, bin string, args ...string) *process {
	t.Helper()
	return startProcessEnv(t, name, dir, nil, bin, args...)
}

// startProcessEnv is startProcess with env added to the test's environment.
func startProcessEnv(t TB, name, dir string, env []string, bin string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("%s: create log: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	isolate(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("%s: start %s: %v", name, bin, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	// Cleanups run last-in first-out: stop the peer, then print its log.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s (pid %d) log tail:\n%s", name, p.pid(), p.tail(tailLines))
		}
	})
	t.Cleanup(p.stop)
	return p
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the process's exit status, or -1 when it was killed by a
// signal or has not exited.
func (p *process) exitCode() int {
	if !p.exited() {
		return -1
	}
	if p.waitErr == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(p.waitErr, &exitErr) {
		return exitErr.ExitCode()
	}
	return -1
}

// stop sends SIGTERM to the recorded PID, then SIGKILL after stopGrace,
// waits for the exit and kills any process the peer forked that outlived it.
// It is safe to call more than once.
func (p *process) stop() {
	defer killGroup(p.pid())
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// bindFailed reports whether the process has exited after a bind conflict.
func (p *process) bindFailed() bool {
	return p.exited() && strings.Contains(strings.ToLower(p.log()), "address already in use")
}

// log returns everything the process wrote so far.
func (p *process) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// tail returns the last n readable lines of the log.
func (p *process) tail(n int) string {
	return lastLines(readableLog(p.log()), n)
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// readableLog drops terminal colours and the carriage-return status lines
// that baresip redraws many times a second, keeping what follows the last
// carriage return on each line.
func readableLog(s string) string {
	s = ansiEscape.ReplaceAllString(s, "")
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if i := strings.LastIndexByte(line, '\r'); i >= 0 {
			line = line[i+1:]
		}
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
