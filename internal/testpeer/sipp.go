package testpeer

import (
	"embed"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Scenarios shipped with this package; pass ScenarioPath(t, name) as
// SIPpOptions.Scenario.
const (
	// ScenarioUACRR is SIPp's built-in uac that keeps the route set of the
	// 200 OK (rrs) and sends ACK and BYE to [next_url] with [routes], so calls
	// through a record-routing proxy such as Kamailio complete.
	ScenarioUACRR = "uac_rr.xml"
	// ScenarioUACPcapDTMF is uac_pcap that plays pcap/g711a.pcap, then the
	// RFC 4733 digits 1, 2 and 3 from pcap/dtmf_2833_*.pcap one second
	// apart, keeps the call up about 6 s and follows Record-Route.
	ScenarioUACPcapDTMF = "uac_pcap_dtmf.xml"
	// ScenarioUASCancelAfterRing is a UAS that sends no 100 Trying, rings after a
	// second and expects a CANCEL only then, answering it 200 and the INVITE 487.
	ScenarioUASCancelAfterRing = "uas_cancel_after_ring.xml"
)

//go:embed scenarios/*.xml
var scenarios embed.FS

// sipTesterShare is where Debian's sip-tester installs its media pcaps.
const sipTesterShare = "/usr/share/sip-tester"

// ScenarioPath writes the named scenario shipped with this package into a
// temporary directory and returns its path.
func ScenarioPath(t TB, name string) string {
	t.Helper()
	data, err := scenarios.ReadFile("scenarios/" + name)
	if err != nil {
		t.Fatalf("scenario %q: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("scenario %q: %v", name, err)
	}
	return path
}

// SIPpPcapDir returns a temporary directory with a pcap link to the
// sip-tester media files, the working directory uac_pcap and
// ScenarioUACPcapDTMF expect (they play ./pcap/g711a.pcap and friends).
func SIPpPcapDir(t TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sipTesterShare, "g711a.pcap")); err != nil {
		missing(t, "sip-tester media pcaps", err, onCI())
	}
	dir := t.TempDir()
	if err := os.Symlink(sipTesterShare, filepath.Join(dir, "pcap")); err != nil {
		t.Fatalf("sipp pcap dir: %v", err)
	}
	return dir
}

// SIPpOptions configures RunSIPp.
type SIPpOptions struct {
	// Scenario is a built-in scenario name ("uac", "uac_pcap", "uas"...) or
	// the path of an XML file (see ScenarioPath).
	Scenario string
	Target   string // the remote "host:port"; empty for a server scenario
	Service  string // the request URI's user part (-s)
	// LocalPort is SIPp's SIP port (-p); 0 picks a free one.
	LocalPort int
	Calls     int      // calls before SIPp exits (-m); 0 means 1
	Extra     []string // further arguments, e.g. "-d", "1000"
	// Dir is the working directory, where SIPp's logs go too; "" means a
	// fresh SIPpPcapDir.
	Dir string
	// Host is where SIPp runs and binds every socket; the zero Host is
	// loopback.
	Host Host
}

// SIPpRun is one SIPp process running in the background.
type SIPpRun struct {
	LocalPort int    // its SIP port on its Host's address
	Dir       string // its working directory

	proc *process
}

// RunSIPp starts SIPp in the background with no standard input, every
// socket (SIP, media, remote control) on opts.Host's address (127.0.0.1 by
// default) and a free port,
// tracing messages, the final screen and unexpected messages to files in
// Dir. Call Wait for its result; a cleanup kills it if it is still running.
func RunSIPp(t TB, opts SIPpOptions) *SIPpRun {
	t.Helper()
	bin := Need(t, "sipp")
	if opts.Dir == "" {
		opts.Dir = SIPpPcapDir(t)
	}
	if opts.LocalPort == 0 {
		opts.LocalPort = FreeUDPPort(t)
	}
	if opts.Calls == 0 {
		opts.Calls = 1
	}
	r := &SIPpRun{LocalPort: opts.LocalPort, Dir: opts.Dir}
	args := []string{scenarioFlag(opts.Scenario), opts.Scenario}
	if opts.Target != "" {
		args = append(args, opts.Target)
	}
	if opts.Service != "" {
		args = append(args, "-s", opts.Service)
	}
	// -bind_local keeps the SIP socket on the host's address (SIPp otherwise
	// listens on every address), and -ci does the same for its remote-control
	// socket.
	ip := opts.Host.ip()
	args = append(args,
		"-i", ip, "-bind_local", "-mi", ip, "-ci", ip,
		"-p", strconv.Itoa(opts.LocalPort), "-mp", strconv.Itoa(FreeUDPPort(t)),
		"-cp", strconv.Itoa(FreeUDPPort(t)),
		"-m", strconv.Itoa(opts.Calls),
		"-nostdin",
		"-trace_msg", "-message_file", r.file("messages"),
		"-trace_screen", "-screen_file", r.file("screen"),
		"-trace_err", "-error_file", r.file("errors"),
	)
	args = append(args, opts.Extra...)
	bin, args = opts.Host.command(t, bin, args...)
	r.proc = startProcess(t, "sipp", opts.Dir, bin, args...)
	return r
}

// scenarioFlag chooses -sf for a file and -sn for a built-in name.
func scenarioFlag(scenario string) string {
	if strings.HasSuffix(scenario, ".xml") || strings.ContainsRune(scenario, os.PathSeparator) {
		return "-sf"
	}
	return "-sn"
}

func (r *SIPpRun) file(kind string) string {
	return filepath.Join(r.Dir, "sipp-"+kind+".log")
}

// Wait waits up to timeout for SIPp to exit and returns its exit code (0:
// every call succeeded, 1: some failed, 97/99/255: interrupted or fatal) and
// its log: output, final screen and unexpected messages. On timeout it kills
// SIPp, marks the test failed and returns -1.
func (r *SIPpRun) Wait(t TB, timeout time.Duration) (exitCode int, log string) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-r.proc.done:
	case <-timer.C:
		r.Kill()
		t.Errorf("sipp (pid %d) still running after %v; killed", r.proc.pid(), timeout)
		return -1, r.log()
	}
	return r.proc.exitCode(), r.log()
}

func (r *SIPpRun) log() string {
	var b strings.Builder
	b.WriteString(readableLog(r.proc.log()))
	for _, kind := range []string{"screen", "errors"} {
		if data, err := os.ReadFile(r.file(kind)); err == nil && len(data) > 0 {
			b.WriteString("\n--- sipp " + kind + " ---\n")
			b.Write(data)
		}
	}
	return b.String()
}

// Messages returns the SIP messages SIPp sent and received so far.
func (r *SIPpRun) Messages() string {
	data, _ := os.ReadFile(r.file("messages"))
	return string(data)
}

// Kill stops SIPp by its PID if it is still running.
func (r *SIPpRun) Kill() { r.proc.stop() }

// PID is the SIPp process's ID.
func (r *SIPpRun) PID() int { return r.proc.pid() }
