package testpeer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// pulseStartTimeout bounds how long StartPulse waits for the server to answer.
const pulseStartTimeout = 10 * time.Second

// The devices of a private PulseAudio server, which are its defaults.
const (
	// PulseSpeaker is the null sink: it plays nothing, but its monitor
	// source carries what was played (RecordSpeaker).
	PulseSpeaker = "wps_speaker"
	// PulseMicrophone is the monitor of a second null sink into which the
	// server plays a steady tone at PulseOptions.MicrophoneHz (module-sine).
	// A monitor follows the latency its clients ask for; module-sine-source
	// would deliver its tone in blocks of two seconds.
	PulseMicrophone = pulseMicrophoneSink + ".monitor"

	pulseMicrophoneSink = "wps_mic"
)

// A null sink that no client asks for a short latency renders two seconds
// ahead, and a stream that joins it later can rewind only as much as it asks
// for: its first audio waits up to two seconds, and a capture stream on the
// sink's monitor loses what the sink rendered meanwhile. A sound card or
// PipeWire runs on a short period and starts a new stream at once. To behave
// like one, both null sinks are listened to at all times, with a short
// latency, by a loopback into a third null sink that nobody hears (a clock).
const (
	pulseClockSink      = "wps_clock"
	pulseClockLatencyMs = 20
)

// PulseOptions configures StartPulse.
type PulseOptions struct {
	// MicrophoneHz is the tone the microphone hears; 0 means 1000 Hz.
	MicrophoneHz int
}

// Pulse is a private PulseAudio server: a sound system with a speaker and a
// microphone but no hardware, for the test alone. Its socket, cookie and
// state live in the test's temporary directory, so nothing of the user's or
// the machine's sound setup is read or touched, and its clients are the
// processes given Env.
type Pulse struct {
	// Server is the server's address as clients name it (PULSE_SERVER):
	// "unix:" and the path of its socket.
	Server string

	dir  string // the server's files and its clients'
	proc *process
}

// StartPulse starts pulseaudio with no configuration but its own: a native
// socket that lets any local client in (no cookie to share), a null sink as
// the speaker and a tone as the microphone, both the defaults. It
// waits until the server answers and stops it by PID at cleanup.
//
// pulseaudio refuses to run per-user as root only in name: it warns that it
// is not meant to and runs. It keeps its state under HOME and its runtime
// files under XDG_RUNTIME_DIR, both set to the test's directory here. It
// runs at a higher priority (a nice level, where allowed), as a desktop's
// sound server does, so that a machine busy with other tests does not starve
// it; realtime scheduling stays off.
func StartPulse(t TB, opts PulseOptions) *Pulse {
	t.Helper()
	bin := Need(t, "pulseaudio")
	Need(t, "pactl")
	if opts.MicrophoneHz == 0 {
		opts.MicrophoneHz = 1000
	}
	dir := t.TempDir()
	for _, d := range []string{"home", "runtime", "client"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatalf("pulseaudio: %v", err)
		}
	}
	socket := filepath.Join(dir, "native")
	p := &Pulse{Server: "unix:" + socket, dir: dir}
	env := []string{"HOME=" + filepath.Join(dir, "home"), "XDG_RUNTIME_DIR=" + filepath.Join(dir, "runtime")}
	p.proc = startProcessEnv(t, "pulseaudio", dir, env, bin,
		"--daemonize=no", "--system=false", "-n", "--exit-idle-time=-1", "--disallow-exit",
		"--use-pid-file=false", "--high-priority=yes", "--realtime=no", "--log-target=stderr",
		"--load=module-native-protocol-unix auth-anonymous=1 socket="+socket,
		"--load=module-null-sink sink_name="+PulseSpeaker,
		"--load=module-null-sink sink_name="+pulseMicrophoneSink,
		fmt.Sprintf("--load=module-sine sink=%s frequency=%d", pulseMicrophoneSink, opts.MicrophoneHz),
		"--load=module-null-sink sink_name="+pulseClockSink)
	if err := p.waitReady(); err != nil {
		t.Fatalf("pulseaudio: %v", err)
	}
	// The clocks load after the defaults are set: a change of the default
	// source moves every capture stream that did not pin its source, the
	// loopback's among them. A sink suspended and resumed drops what it
	// rendered ahead before its clock came.
	for _, set := range [][]string{
		{"set-default-sink", PulseSpeaker}, {"set-default-source", PulseMicrophone},
		pulseClock(PulseSpeaker), pulseClock(pulseMicrophoneSink),
		{"suspend-sink", PulseSpeaker, "1"}, {"suspend-sink", PulseSpeaker, "0"},
		{"suspend-sink", pulseMicrophoneSink, "1"}, {"suspend-sink", pulseMicrophoneSink, "0"},
	} {
		if _, err := p.pactl(set...); err != nil {
			t.Fatalf("pulseaudio: %v", err)
		}
	}
	return p
}

// pulseClock is the pactl command that loads the loopback keeping sink on a
// short period: from its monitor into the clock sink.
func pulseClock(sink string) []string {
	return []string{"load-module", "module-loopback", "source=" + sink + ".monitor", "sink=" + pulseClockSink,
		fmt.Sprintf("latency_msec=%d", pulseClockLatencyMs)}
}

// Env is the environment a client of this server runs with, added to its
// own: the server's address, and a cookie file and runtime directory of the
// test's, so that libpulse writes nothing in the user's home or /tmp.
func (p *Pulse) Env() []string {
	client := filepath.Join(p.dir, "client")
	return []string{
		"PULSE_SERVER=" + p.Server,
		"PULSE_COOKIE=" + filepath.Join(client, "cookie"),
		"PULSE_RUNTIME_PATH=" + client,
	}
}

// UseInProcess points this test process's own libpulse at the server, for the
// test's duration: for tests that open sound devices in process rather than in an
// engine started with Env.
func (p *Pulse) UseInProcess(t interface{ Setenv(key, value string) }) {
	for _, kv := range p.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v) // libpulse reads them when a backend connects
	}
}

// PID is the server's process ID.
func (p *Pulse) PID() int { return p.proc.pid() }

// waitReady waits until "pactl info" gets an answer.
func (p *Pulse) waitReady() error {
	deadline := time.Now().Add(pulseStartTimeout)
	for {
		_, err := p.pactl("info")
		switch {
		case err == nil:
			return nil
		case p.proc.exited():
			return fmt.Errorf("exited (code %d) before it was ready:\n%s", p.proc.exitCode(), p.proc.tail(tailLines))
		case time.Now().After(deadline):
			return fmt.Errorf("no answer on %s after %v (%v):\n%s", p.Server, pulseStartTimeout, err, p.proc.tail(tailLines))
		}
		time.Sleep(20 * time.Millisecond) // a missing socket fails at once
	}
}

// pactl runs pactl against this server and returns its standard output.
func (p *Pulse) pactl(args ...string) ([]byte, error) {
	cmd := exec.Command("pactl", args...)
	cmd.Env = append(os.Environ(), p.Env()...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pactl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// errPulseQuery reports an answer of pactl that could not be read.
var errPulseQuery = errors.New("unreadable pactl answer")
