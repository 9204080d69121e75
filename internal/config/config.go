// Package config is the engine's typed configuration: a default (default.go), a JSON file
// that overrides it field by field, and validation with messages that name the field.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/origin"
)

// Config is everything the engine reads at start.
type Config struct {
	Control  Control  `json:"control"`
	SIP      SIP      `json:"sip"`
	Account  *Account `json:"account,omitempty"` // provisioned account; overrides the stored one
	Audio    Audio    `json:"audio"`
	Settings Settings `json:"settings"`
	Log      Log      `json:"log"`
	Remote   Remote   `json:"remote"`
	DataDir  string   `json:"dataDir,omitempty"` // account, token; default: the user config dir

	// Sources names the files this config was read from, in order (SourceMachine,
	// SourceUser, SourceFile); none when it is the embedded default. Not a JSON field.
	Sources []string `json:"-"`
}

// Control is the loopback API.
type Control struct {
	Port            int      `json:"port"`
	FallbackPorts   []int    `json:"fallbackPorts"`
	AllowedOrigins  []string `json:"allowedOrigins"`  // provisioned: control permission, no pairing
	AdminOrigins    []string `json:"adminOrigins"`    // provisioned: may also change the account
	ReadOnlyOrigins []string `json:"readOnlyOrigins"` // provisioned: may only observe
	Pairing         bool     `json:"pairing"`         // users may approve other https origins
	FrameAncestors  []string `json:"frameAncestors"`  // origins that may frame the engine's page
	TLS             TLS      `json:"tls"`
	AdminSocket     string   `json:"adminSocket"` // "" = the per-user default path
}

// Remote is the optional public listener for VDI and server deployments: wss on a
// public address with a certificate from ACME (Let's Encrypt). Off by default. Every
// connection there must present a token (a pairing token for pages).
type Remote struct {
	Enabled       bool     `json:"enabled"`
	Listen        string   `json:"listen"`        // ":443" or "203.0.113.5:443"
	Hosts         []string `json:"hosts"`         // the public DNS names that point at this machine
	CacheDir      string   `json:"cacheDir"`      // certificates; default: "acme" in the data directory
	Email         string   `json:"email"`         // the ACME account's contact, optional
	HTTPChallenge string   `json:"httpChallenge"` // ":80" to also answer http-01; "" = tls-alpn-01 on Listen
	DirectoryURL  string   `json:"directoryURL"`  // the ACME directory; "" = Let's Encrypt
}

// TLS is the second, https/wss listener, served once `wpservice trust install` has
// made the per-install certificate.
type TLS struct {
	Port          int   `json:"port"`
	FallbackPorts []int `json:"fallbackPorts"`
}

// SIP is the signalling transport.
type SIP struct {
	// ListenIP is "auto" (SIP on every address; each request, and each call's RTP, uses
	// the address that routes to its destination) or the one local IP for all of it.
	ListenIP string `json:"listenIP"`
	// AcceptDirectCalls lets any host send SIP requests (direct IP calls). Without it,
	// only loopback and the account's registrar and outbound proxy may.
	AcceptDirectCalls bool `json:"acceptDirectCalls"`
	// UDP opens the SIP UDP socket (default true). False listens on TCP only and
	// leaves TCP and TLS accounts unchanged: for networks or hosts without UDP (wine
	// 8 cannot open Go's UDP sockets). Calls still need UDP for their RTP.
	UDP       bool   `json:"udp"`
	UDPPort   int    `json:"udpPort"`
	TCPPort   int    `json:"tcpPort"`
	UserAgent string `json:"userAgent"`
	// KeepAlive is the interval, in seconds, of the keep-alives sent to the registrar
	// (or outbound proxy) while registered, which hold a NAT's mapping and check a TCP
	// or TLS flow (Mizu keepaliveival, in ms there); 0 sends none.
	KeepAlive int `json:"keepAlive"`
	// STUNServer is the "host:port" of a STUN server (RFC 5389) that each call asks,
	// from its RTP socket, for the public address its SDP then carries (Mizu
	// usestun/stunserveraddress); "" asks none: nothing external by default.
	STUNServer string `json:"stunServer"`
	// DNSServer is the "IP" or "IP:port" of the DNS server asked for the account's
	// server's NAPTR, SRV and address records (RFC 3263), for split DNS; "" asks the
	// system's.
	DNSServer string `json:"dnsServer"`
	// FollowRedirects makes an outgoing call answered 300, 301 or 302 go on to the
	// answer's Contact (RFC 3261 section 8.1.3.4), at most five times and never to one
	// target twice; false ends the call as rejected with the 3xx's code.
	FollowRedirects bool `json:"followRedirects"`
	// TLSCAFile is a PEM file of CA certificates trusted, beside the system's roots,
	// for the SIP server's certificate over TLS (a PBX with a private CA); "" trusts
	// the system's roots only. The certificate is always verified.
	TLSCAFile string `json:"tlsCAFile"`
	// OnNetworkChange is what happens to an active call whose local address the
	// network took away: "move" (a re-INVITE from the new address; the call ends
	// with cause network_changed only if the peer refuses it) or "end" (the call
	// ends at once with a BYE and cause network_changed). The registration
	// follows the network either way.
	OnNetworkChange string `json:"onNetworkChange"`
	// SessionExpires is the session interval, in seconds, our calls ask for (RFC 4028
	// session timers): the refresher re-INVITEs or UPDATEs every half interval, and a
	// call whose refresh does not come ends with cause session_expired. MinSE is the
	// shortest interval we accept from a peer, which gets 422 below it. Both are at
	// least 90 (sessiontimer.go); a SessionExpires of 0 (SessionTimerOff) asks for
	// no timer, though a peer's request is still honoured.
	SessionExpires int `json:"sessionExpires"`
	MinSE          int `json:"minSE"`
}

// What sip.onNetworkChange may say.
const (
	NetworkChangeMove = "move"
	NetworkChangeEnd  = "end"
)

// Account is a provisioned SIP account (administrators, tests).
type Account struct {
	Server           string   `json:"server"`
	Username         string   `json:"username"`
	AuthUsername     string   `json:"authUsername,omitempty"`
	Password         string   `json:"password,omitempty"`
	DisplayName      string   `json:"displayName,omitempty"`
	Transport        string   `json:"transport,omitempty"`
	OutboundProxy    string   `json:"outboundProxy,omitempty"`
	RegisterInterval int      `json:"registerInterval,omitempty"`
	Codecs           []string `json:"codecs,omitempty"`
	Register         *bool    `json:"register,omitempty"`        // default true
	MediaEncryption  string   `json:"mediaEncryption,omitempty"` // off | optional | mandatory
	VoicemailNumber  string   `json:"voicemailNumber,omitempty"` // what the page dials for its voicemail
}

// Registers reports whether the provisioned account should register (default yes).
func (a Account) Registers() bool { return a.Register == nil || *a.Register }

// Audio selects the local audio. Input and Output are "device" (the sound card through
// the audio backend), "null" (silence / discard) or "wav" (InputFile is played in a
// loop as the microphone; OutputFile records what the speaker would play). File paths
// come only from this file, never from the control API.
type Audio struct {
	Backend      string `json:"backend"` // auto | null
	Input        string `json:"input"`
	Output       string `json:"output"`
	InputFile    string `json:"inputFile"`
	OutputFile   string `json:"outputFile"`
	InputDevice  string `json:"inputDevice"`
	OutputDevice string `json:"outputDevice"`
	// SoundsDir is the folder of the WAV files pages may play (audio.play) and choose
	// as the ringtone, by name only; RecordingsDir the folder call recordings are
	// written to. "" = "sounds" and "recordings" in the data directory.
	SoundsDir     string `json:"soundsDir"`
	RecordingsDir string `json:"recordingsDir"`
}

// Settings are the engine settings the control API can change at run time.
type Settings struct {
	RTPTimeout  int  `json:"rtpTimeout"` // seconds; 0 = never
	AutoAnswer  bool `json:"autoAnswer"`
	AutoHold    bool `json:"autoHold"` // hold the call being left when turning to another line
	DTMFDelayMS int  `json:"dtmfDelayMs"`
	MaxLines    int  `json:"maxLines"`
	// TransferIncoming is what a REFER of a peer gets: accept, ask (the page decides)
	// or refuse.
	TransferIncoming string `json:"transferIncoming"`
	// The microphone's processing: echo cancellation, noise suppression and
	// gain control, each auto (on unless the speaker is a headset), on or off.
	AEC     string `json:"aec"`
	Denoise string `json:"denoise"`
	AGC     string `json:"agc"`
	// The bounds of the adaptive jitter buffer's delay, in milliseconds.
	JitterMinMS int `json:"jitterMinMs"`
	JitterMaxMS int `json:"jitterMaxMs"`
	// The packet time, in milliseconds, our SDP asks of peers (a=ptime).
	Ptime int `json:"ptime"`
	// Every other field settings.set takes (the call policies, the time limits)
	// comes in the same object, each nil unless a file sets it; the engine checks
	// them as settings.set does (phone.Config.FileSettings). The fields named above
	// shadow their namesakes here, which stay nil.
	api.SettingsArgs
}

// Log sets up logging.
type Log struct {
	Level string `json:"level"` // debug | info | warn | error
}

// Parse overlays JSON data on the defaults, refusing unknown fields, and validates.
func Parse(data []byte) (Config, error) {
	c := Default()
	if err := overlay(&c, data); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// Load reads path; a missing file is an error (the caller decides whether a default
// path may be absent).
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	c.Sources = []string{SourceFile}
	return c, nil
}

// DefaultDir is the per-user directory for the config file and data.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "wpservice"), nil
}

// Validate checks every field and names the first bad one.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, msg string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+msg, append([]any{field}, args...)...))
	}
	port := func(field string, p int, zeroOK bool) {
		if p < 0 || p > 65535 || p == 0 && !zeroOK {
			bad(field, "port %d out of range", p)
		}
	}
	port("control.port", c.Control.Port, true)
	for _, p := range c.Control.FallbackPorts {
		port("control.fallbackPorts", p, false)
	}
	port("control.tls.port", c.Control.TLS.Port, true)
	for _, p := range c.Control.TLS.FallbackPorts {
		port("control.tls.fallbackPorts", p, false)
	}
	seen := map[origin.Origin]string{}
	for _, l := range []struct {
		field   string
		origins []string
	}{
		{"control.allowedOrigins", c.Control.AllowedOrigins}, {"control.adminOrigins", c.Control.AdminOrigins},
		{"control.readOnlyOrigins", c.Control.ReadOnlyOrigins}, {"control.frameAncestors", c.Control.FrameAncestors},
	} {
		field := l.field
		for _, s := range l.origins {
			o, err := origin.Parse(s)
			if err != nil {
				bad(field, "%v; write an origin like https://crm.example.com (scheme, host and port only)", err)
				continue
			}
			if field == "control.frameAncestors" {
				continue
			}
			if other, dup := seen[o]; dup {
				bad(field, "%q is also in %s; give each origin one permission", s, other)
			}
			seen[o] = field
		}
	}
	if c.Remote.Enabled && (c.Remote.Listen == "" || len(c.Remote.Hosts) == 0) {
		bad("remote", "enabled needs listen and at least one host name")
	}
	if c.SIP.ListenIP != "auto" {
		if ip := net.ParseIP(c.SIP.ListenIP); ip == nil || ip.IsUnspecified() {
			bad("sip.listenIP", "%q: give \"auto\" or one local IP (not 0.0.0.0)", c.SIP.ListenIP)
		}
	}
	port("sip.udpPort", c.SIP.UDPPort, true)
	port("sip.tcpPort", c.SIP.TCPPort, true)
	if c.SIP.KeepAlive < 0 || c.SIP.KeepAlive > 3600 {
		bad("sip.keepAlive", "0..3600 seconds (0 = off)")
	}
	if c.SIP.STUNServer != "" {
		if host, p, err := net.SplitHostPort(c.SIP.STUNServer); err != nil || host == "" || !validPort(p) {
			bad("sip.stunServer", "%q: give \"host:port\", e.g. \"stun.example.com:3478\", or \"\" for none", c.SIP.STUNServer)
		}
	}
	if c.SIP.DNSServer != "" && !validDNSServer(c.SIP.DNSServer) {
		bad("sip.dnsServer", "%q: give an IP address, with a port if not 53, e.g. \"192.0.2.53\" or \"127.0.0.1:5353\", or \"\" for the system's", c.SIP.DNSServer)
	}
	switch c.SIP.OnNetworkChange {
	case NetworkChangeMove, NetworkChangeEnd:
	default:
		bad("sip.onNetworkChange", "%q: give %q or %q", c.SIP.OnNetworkChange, NetworkChangeMove, NetworkChangeEnd)
	}
	c.validateSessionTimer(bad)
	switch c.Audio.Backend {
	case "auto", "null":
	default:
		bad("audio.backend", "auto or null")
	}
	for field, v := range map[string]string{"audio.input": c.Audio.Input, "audio.output": c.Audio.Output} {
		switch v {
		case "device", "null":
		case "wav":
			file := c.Audio.InputFile
			if field == "audio.output" {
				file = c.Audio.OutputFile
			}
			if file == "" {
				bad(field, "wav needs a file")
			}
		default:
			bad(field, "device, null or wav")
		}
	}
	if c.Settings.RTPTimeout < 0 || c.Settings.RTPTimeout > 3600 {
		bad("settings.rtpTimeout", "0..3600")
	}
	if c.Settings.MaxLines < 1 || c.Settings.MaxLines > 16 {
		bad("settings.maxLines", "1..16")
	}
	if c.Settings.DTMFDelayMS < 0 || c.Settings.DTMFDelayMS > 60000 {
		bad("settings.dtmfDelayMs", "0..60000")
	}
	switch c.Settings.TransferIncoming {
	case "accept", "ask", "refuse":
	default:
		bad("settings.transferIncoming", "accept, ask or refuse")
	}
	for _, f := range []struct{ field, v string }{{"settings.aec", c.Settings.AEC}, {"settings.denoise", c.Settings.Denoise}, {"settings.agc", c.Settings.AGC}} {
		switch f.v {
		case "auto", "on", "off":
		default:
			bad(f.field, "auto, on or off")
		}
	}
	if c.Settings.JitterMinMS < 20 || c.Settings.JitterMinMS > 320 {
		bad("settings.jitterMinMs", "20..320")
	}
	if c.Settings.JitterMaxMS < c.Settings.JitterMinMS || c.Settings.JitterMaxMS > 320 {
		bad("settings.jitterMaxMs", "jitterMinMs..320")
	}
	if p := c.Settings.Ptime; p < 10 || p > 60 || p%10 != 0 {
		bad("settings.ptime", "10, 20, 30, 40, 50 or 60")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "debug, info, warn or error")
	}
	return errors.Join(errs...)
}

// validPort reports whether s is a port number, 1 to 65535.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// validDNSServer reports an IP address, or an IP address and port.
func validDNSServer(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	host, p, err := net.SplitHostPort(s)
	return err == nil && net.ParseIP(host) != nil && validPort(p)
}
