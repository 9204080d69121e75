package testpeer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// baresipStartTimeout bounds how long baresip gets to open its ctrl_tcp port.
const baresipStartTimeout = 10 * time.Second

// baresipModules are where distributions install baresip's modules.
var baresipModules = []string{"/usr/lib/baresip/modules", "/usr/local/lib/baresip/modules"}

// BaresipOptions configures StartBaresip.
type BaresipOptions struct {
	User     string // the account's user part; "baresip" if empty
	Password string // digest password, used when the registrar challenges
	// Registrar is the "127.0.0.1:port" to register with (the account's
	// domain), or "" for a direct, unregistered account on baresip's own
	// address.
	Registrar string
	// AutoAnswer answers incoming calls at once; otherwise call Accept.
	AutoAnswer bool
	// SourceWAV is the audio baresip sends (aufile): mono 16-bit at the
	// call's codec's rate (8 kHz for G.711, 16 kHz for G.722, 48 kHz for
	// Opus). Required. Baresip 1.0 hangs up when the file ends, so make it
	// longer than the call.
	SourceWAV string
	// Codecs are the codec modules loaded besides G.711 ("g722", "opus"),
	// in baresip's order of preference before it; G711Off leaves G.711 out,
	// so that a call either speaks one of Codecs or fails.
	Codecs  []string
	G711Off bool
	// Record loads the sndfile module, which writes each call's sent
	// (dump-*-enc.wav) and received, decoded (dump-*-dec.wav) audio under
	// RecordDir.
	Record bool
	// Host is where baresip runs and binds its SIP and ctrl_tcp sockets;
	// the zero Host is loopback.
	Host Host
	// MediaEnc is the account's media encryption: "" for plain RTP, "srtp"
	// (SDES keys offered on RTP/AVP, taken when offered) or "srtp-mand"
	// (RTP/SAVP only). Either loads the srtp module.
	MediaEnc string
	// MessageTo loads the contact module with this one SIP URI as its contact,
	// the peer SendMessage sends instant messages to (baresip_message.go).
	MessageTo string
	// Presence loads the presence module (baresip_presence.go): the account
	// PUBLISHes its status to the registrar every 60 s and on presence_online and
	// presence_offline, and Watch's URIs become contacts whose presence it
	// subscribes to. Needs a Registrar.
	Presence bool
	Watch    []string
	// Ptime is the account's packet time in ms (its a=ptime, and what it
	// sends); 0 leaves baresip's 20.
	Ptime int
}

// Baresip is a running headless baresip user agent on its Host's address
// (127.0.0.1 by default) with a ctrl_tcp control connection. Events baresip
// pushes are kept from the moment the connection opens.
//
// Its SIP and ctrl_tcp sockets are on that address, but baresip 1.0 binds
// its RTP/RTCP and DNS client sockets to the wildcard address and has no
// setting to change that; it only sends to the peers it is given.
type Baresip struct {
	SIPAddr   string // its SIP listen address, "IP:port" (UDP and TCP)
	URI       string // its account's AOR, e.g. "sip:alice@127.0.0.1:5060"
	RecordDir string // where sndfile writes when Options.Record is set

	proc       *process
	ctrl       *ctrlConn
	contactSet bool // SendMessage chose the contact

	console     *console // what its cons module shows (baresip_message.go)
	consoleConn net.Conn

	unpublished map[string]bool // stale presence documents removed (baresip_presence.go)
}

// StartBaresip writes a configuration bound to opts.Host, starts baresip and
// connects to its ctrl_tcp port; the test fails with baresip's log if that
// does not happen in time.
func StartBaresip(t TB, opts BaresipOptions) *Baresip {
	t.Helper()
	bin := Need(t, "baresip")
	if opts.SourceWAV == "" {
		t.Fatal("baresip: BaresipOptions.SourceWAV is required")
	}
	source, err := filepath.Abs(opts.SourceWAV)
	if err != nil {
		t.Fatalf("baresip: %v", err)
	}
	opts.SourceWAV = source
	if opts.User == "" {
		opts.User = "baresip"
	}
	for attempt := 1; ; attempt++ {
		b, err := startBaresip(t, bin, opts, FreePort(t), FreePort(t))
		if err == nil {
			return b
		}
		if errors.Is(err, errPortTaken) && attempt < portAttempts {
			t.Logf("baresip %s: %v; retrying on other ports", opts.User, err)
			continue
		}
		t.Fatalf("baresip %s: %v", opts.User, err)
	}
}

// startBaresip makes one attempt with SIP on sipPort and ctrl_tcp on
// ctrlPort.
func startBaresip(t TB, bin string, opts BaresipOptions, sipPort, ctrlPort int) (*Baresip, error) {
	t.Helper()
	dir := t.TempDir()
	b := &Baresip{
		SIPAddr:   opts.Host.addr(sipPort),
		RecordDir: filepath.Join(dir, "rec"),
	}
	ctrlAddr := opts.Host.addr(ctrlPort)
	conf := filepath.Join(dir, "conf")
	for _, d := range []string{conf, b.RecordDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	account := b.account(opts)
	config, err := baresipConfig(opts.Host.ip(), b.SIPAddr, ctrlAddr, opts.SourceWAV, b.RecordDir, opts.Record)
	if err != nil {
		return nil, err
	}
	config = withCodecs(config, opts.Codecs, opts.G711Off)
	if opts.MediaEnc != "" {
		config += "module\tsrtp.so\n"
	}
	consAddr := ""
	if opts.MessageTo != "" {
		consAddr = opts.Host.addr(FreePort(t))
		config += messageConfig(opts.MessageTo, consAddr)
		if err := os.WriteFile(filepath.Join(conf, "contacts"), []byte("<"+opts.MessageTo+">\n"), 0o644); err != nil {
			return nil, err
		}
	}
	if opts.Presence {
		if config, err = withPresence(config, conf, opts.Watch); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(conf, "config"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "accounts"), []byte(account+"\n"), 0o600); err != nil {
		return nil, err
	}
	flags := []string{"-f", conf}
	if opts.Presence {
		flags = append(flags, "-s") // the SIP trace: WaitPublished reads its PUBLISH answers
	}
	bin, args := opts.Host.command(t, bin, flags...)
	b.proc = startProcess(t, "baresip-"+opts.User, dir, bin, args...)
	if err := b.connect(ctrlAddr); err != nil {
		b.proc.stop()
		return nil, err
	}
	t.Cleanup(b.ctrl.close) // runs before the process is stopped
	if consAddr != "" {
		if err := b.openConsole(consAddr); err != nil {
			b.proc.stop()
			return nil, err
		}
		t.Cleanup(func() { b.consoleConn.Close() })
	}
	return b, nil
}

// connect opens the ctrl_tcp connection and checks that it reaches this
// baresip (its reginfo lists b.URI), not another process that took the port
// while this one failed to listen on it.
func (b *Baresip) connect(ctrlAddr string) error {
	deadline := time.Now().Add(baresipStartTimeout)
	for {
		conn, err := net.DialTimeout("tcp", ctrlAddr, 200*time.Millisecond)
		if err == nil {
			b.ctrl = newCtrlConn(conn)
			info, err := b.ctrl.command("reginfo", "")
			if err == nil && strings.Contains(info, b.URI) {
				return nil
			}
			b.ctrl.close()
			return fmt.Errorf("%w: ctrl_tcp %s answers for someone else (reginfo %q, %v)", errPortTaken, ctrlAddr, info, err)
		}
		switch {
		case b.proc.bindFailed():
			return fmt.Errorf("%w: SIP %s or ctrl_tcp %s", errPortTaken, b.SIPAddr, ctrlAddr)
		case b.proc.exited():
			return fmt.Errorf("exited (code %d) before it was ready:\n%s", b.proc.exitCode(), b.proc.tail(tailLines))
		case time.Now().After(deadline):
			return fmt.Errorf("ctrl_tcp %s not reachable after %v: %v\n%s", ctrlAddr, baresipStartTimeout, err, b.proc.tail(tailLines))
		}
		time.Sleep(50 * time.Millisecond) // the port opens once modules load
	}
}

// account builds the accounts line and sets b.URI.
func (b *Baresip) account(opts BaresipOptions) string {
	answer := "manual"
	if opts.AutoAnswer {
		answer = "auto"
	}
	if opts.MediaEnc != "" {
		answer += ";mediaenc=" + opts.MediaEnc
	}
	if opts.Ptime != 0 {
		answer += fmt.Sprintf(";ptime=%d", opts.Ptime)
	}
	if opts.Registrar == "" {
		b.URI = "sip:" + opts.User + "@" + b.SIPAddr
		return fmt.Sprintf("<%s>;regint=0;answermode=%s", b.URI, answer)
	}
	b.URI = "sip:" + opts.User + "@" + opts.Registrar
	line := fmt.Sprintf("<%s;transport=udp>;regint=60;answermode=%s", b.URI, answer)
	if opts.Presence {
		line += ";pubint=60"
	}
	if opts.Password != "" {
		line += ";auth_pass=" + opts.Password
	}
	return line
}

// withCodecs loads the codec modules of codecs before G.711 in config, and
// leaves G.711 out with g711Off: baresip prefers codecs in the order it
// loads them.
func withCodecs(config string, codecs []string, g711Off bool) string {
	var mods strings.Builder
	for _, c := range codecs {
		mods.WriteString("module\t" + c + ".so\n")
	}
	if !g711Off {
		mods.WriteString("module\tg711.so\n")
	}
	return strings.Replace(config, "module\tg711.so\n", mods.String(), 1)
}

// baresipConfig is a configuration that binds only ip, never reads
// resolv.conf, plays into ALSA's null device and loads no NAT helpers.
func baresipConfig(ip, sipAddr, ctrlAddr, source, recordDir string, record bool) (string, error) {
	modules := ""
	for _, d := range baresipModules {
		if _, err := os.Stat(filepath.Join(d, "ctrl_tcp.so")); err == nil {
			modules = d
			break
		}
	}
	if modules == "" {
		return "", fmt.Errorf("baresip modules not found in %v", baresipModules)
	}
	lines := []string{
		"poll_method\tepoll",
		"sip_listen\t" + sipAddr,
		"net_interface\t" + ip,
		"dns_server\t" + loopback + ":53",
		"audio_player\talsa,null",
		"audio_alert\talsa,null",
		"audio_source\taufile," + source,
		"module_path\t" + modules,
		"module\tg711.so",
		"module\taufile.so",
		"module\talsa.so",
	}
	if record {
		lines = append(lines, "module\tsndfile.so", "snd_path\t"+recordDir)
	}
	lines = append(lines,
		"module_tmp\tuuid.so",
		"module_tmp\taccount.so",
		"module_app\tmenu.so",
		"module_app\tctrl_tcp.so",
		"ctrl_tcp_listen\t"+ctrlAddr,
	)
	return strings.Join(lines, "\n") + "\n", nil
}

// Command runs one ctrl_tcp command (a menu command such as "dial",
// "hangup", "sndcode", "reginfo") and returns its response data. A response
// with "ok": false is a *CommandError.
func (b *Baresip) Command(t TB, cmd, params string) (string, error) {
	t.Helper()
	return b.ctrl.command(cmd, params)
}

// mustCommand runs a command and fails the test if it fails.
func (b *Baresip) mustCommand(t TB, cmd, params string) string {
	t.Helper()
	data, err := b.Command(t, cmd, params)
	if err != nil {
		t.Fatalf("baresip %s %s: %v", cmd, params, err)
	}
	return data
}

// Dial calls uri.
func (b *Baresip) Dial(t TB, uri string) { t.Helper(); b.mustCommand(t, "dial", uri) }

// Accept answers the ringing incoming call (for AutoAnswer false).
func (b *Baresip) Accept(t TB) { t.Helper(); b.mustCommand(t, "accept", "") }

// Hangup ends the current call.
func (b *Baresip) Hangup(t TB) { t.Helper(); b.mustCommand(t, "hangup", "") }

// SendDTMF sends digits (0-9, *, #, A-D) in the current call as RFC 4733
// events; baresip queues them and sends them one after another.
func (b *Baresip) SendDTMF(t TB, digits string) {
	t.Helper()
	for _, d := range digits {
		b.mustCommand(t, "sndcode", string(d))
	}
}

// WaitEvent returns the first event of type typ that WaitEvent has not
// returned before, waiting up to timeout; calling it three times with
// EventCallDTMFStart gives the first three digits. The test fails if no
// such event arrives.
func (b *Baresip) WaitEvent(t TB, typ string, timeout time.Duration) BaresipEvent {
	t.Helper()
	ev, ok := b.NextEvent(typ, timeout)
	if !ok {
		t.Fatalf("baresip %s: no %s event within %v; events: %s", b.URI, typ, timeout, eventTypes(b.Events()))
	}
	return ev
}

// NextEvent is WaitEvent for callers that handle the timeout themselves: ok
// is false when no new event of type typ arrived within timeout.
func (b *Baresip) NextEvent(typ string, timeout time.Duration) (ev BaresipEvent, ok bool) {
	return b.ctrl.next(typ, timeout)
}

// PID is the baresip process's ID.
func (b *Baresip) PID() int { return b.proc.pid() }

// Events returns every event received so far, in order.
func (b *Baresip) Events() []BaresipEvent { return b.ctrl.snapshot() }

// Registration states in reginfo's output.
var (
	regOK  = regexp.MustCompile(`\bOK\b`)
	regERR = regexp.MustCompile(`\bERR\b`)
)

// regPoll is how often WaitRegistered asks reginfo: registration may finish
// before the control connection opens, so its events alone are not enough.
const regPoll = 100 * time.Millisecond

// RegInfo returns baresip's registration summary (the reginfo command)
// without terminal colours, e.g. "> sip:alice@127.0.0.1:5060 OK ...".
func (b *Baresip) RegInfo(t TB) string {
	t.Helper()
	return ansiEscape.ReplaceAllString(b.mustCommand(t, "reginfo", ""), "")
}

// WaitRegistered waits until the account is registered; the test fails if
// registration fails or timeout passes first.
func (b *Baresip) WaitRegistered(t TB, timeout time.Duration) {
	t.Helper()
	if info := b.waitRegState(t, timeout); !regOK.MatchString(info) {
		t.Fatalf("baresip %s: not registered: %s", b.URI, info)
	}
}

// WaitRegisterFailed waits until the registrar has refused the account, for
// tests of wrong credentials; the test fails if it registers instead or
// timeout passes first.
func (b *Baresip) WaitRegisterFailed(t TB, timeout time.Duration) {
	t.Helper()
	if info := b.waitRegState(t, timeout); !regERR.MatchString(info) {
		t.Fatalf("baresip %s: registration did not fail: %s", b.URI, info)
	}
}

// waitRegState polls reginfo until it shows OK or ERR, or timeout passes,
// and returns the last answer.
func (b *Baresip) waitRegState(t TB, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(regPoll)
	defer poll.Stop()
	for {
		info := b.RegInfo(t)
		if regOK.MatchString(info) || regERR.MatchString(info) {
			return info
		}
		select {
		case <-poll.C:
		case <-deadline.C:
			return info
		}
	}
}

// DTMFReceived returns the RFC 4733 digits baresip received, in order (one
// per CALL_DTMF_START event).
func (b *Baresip) DTMFReceived() string {
	var digits strings.Builder
	for _, ev := range b.Events() {
		if ev.Type == EventCallDTMFStart {
			digits.WriteString(ev.Param)
		}
	}
	return digits.String()
}

// RecordedWAVs lists the sndfile dumps in RecordDir, sorted: per call a
// dump-*-dec.wav (what baresip received and decoded) and a dump-*-enc.wav
// (what it sent).
func (b *Baresip) RecordedWAVs() []string {
	files, _ := filepath.Glob(filepath.Join(b.RecordDir, "dump-*.wav"))
	return files // Glob returns names sorted
}

// Log returns everything baresip has logged so far.
func (b *Baresip) Log() string { return b.proc.log() }

func eventTypes(events []BaresipEvent) string {
	types := make([]string, len(events))
	for i, ev := range events {
		types[i] = ev.Type
	}
	return "[" + strings.Join(types, " ") + "]"
}
