package sipstack

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config sets up a Stack. The zero value listens on every address, on free ports.
type Config struct {
	// ListenIP, when set, is the one local IP every transport binds to, and the
	// address put in Via and Contact. Empty listens on every local address and
	// advertises, per request, the one that routes to where the request goes
	// (LocalIPFor). An unspecified address ("0.0.0.0") is refused: say "".
	ListenIP string
	// AcceptDirectCalls lets anyone send us requests. Without it, a request from
	// beyond loopback is served only from the account's registrar or outbound
	// proxy, or inside one of our dialogs (see filter.go).
	AcceptDirectCalls bool
	// FollowRedirects makes an outgoing call that is answered 300, 301 or 302 try the
	// Contacts of that answer (redirect.go), up to maxRedirects times and never one
	// target twice. Without it, a 3xx fails the call like any final error.
	FollowRedirects bool
	// UDPPort and TCPPort are the listening ports; 0 picks a free port.
	UDPPort, TCPPort int
	// NoUDP opens no UDP socket: SIP over TCP and TLS only, for hosts where UDP is
	// not available (an account on UDP cannot register then).
	NoUDP bool
	// TLSConfig is the client TLS configuration for transport=tls
	// (nil uses the system roots; ClientTLSConfig adds a CA file). There is no TLS
	// listener: requests reach us over the registration's connection (tlsflow.go).
	TLSConfig *tls.Config
	// UserAgent is sent in User-Agent and Server headers.
	UserAgent string
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// OnTrace, when set, receives every SIP message the stack sends or
	// receives, with Authorization and Proxy-Authorization values redacted.
	OnTrace func(Trace)
	// OnEvent receives every asynchronous happening. It is called from stack
	// goroutines and must not block long; events of one call arrive in order.
	OnEvent func(Event)
	// KeepAlive is the interval of the keep-alives sent on the registration's flow
	// while registered (keepalive.go); 0 sends none.
	KeepAlive time.Duration
	// Clock drives the registration and keep-alive timers; nil uses the real clock.
	Clock Clock
	// SessionExpires is the session interval (RFC 4028) our INVITEs ask for; 0 is
	// 1800 s. MinSE is the shortest interval we accept from the peer, in an INVITE or
	// a 422 answer to ours; 0 is 90 s, the RFC's floor (sessiontimer.go).
	SessionExpires, MinSE time.Duration
	// SessionTimerOff makes our INVITEs ask for no session timer: no
	// Session-Expires, though still Supported: timer and Min-SE, so that a peer or
	// a proxy that wants one still gets it (RFC 4028 sections 7.1 and 9).
	SessionTimerOff bool
	// RegisterTimeout bounds one REGISTER exchange, challenge included; 0 is 40 s,
	// beyond sipgo's 32 s transaction timeout.
	RegisterTimeout time.Duration
	// DNSServer is the "IP" or "IP:port" of the DNS server that finds an account's
	// server by its NAPTR, SRV and address records (resolve.go); "" asks the
	// system's.
	DNSServer string

	// doorTimeouts, when set, replace headerTimeout and idleTimeout (tests).
	doorTimeouts *[2]time.Duration
	// doorWriteTimeout, when set, replaces writeTimeout (tests).
	doorWriteTimeout time.Duration
}

// Account is the identity used for REGISTER and for From of outgoing calls.
type Account struct {
	// ID is "" for the default account (the one calls and registration used before
	// there could be several), the account's id for another (accounts.go).
	ID               string
	Server           string // registrar/proxy host[:port]
	Username         string // user part of the address of record
	AuthUsername     string // digest user name; empty means Username
	Password         string
	DisplayName      string
	Transport        string // udp (default), tcp or tls
	OutboundProxy    string // host[:port]; when set every request is routed through it
	RegisterInterval int    // requested expiry in seconds; 0 means 300
}

// Trace is one SIP message on the wire.
type Trace struct {
	Dir     string // "send" or "recv"
	Remote  string // peer address host:port
	Message string // full message text, credentials redacted
}

// Clock is the time source of the registration loop, the keep-alives, the wait
// before a re-INVITE answered 491 is sent again and the session timers.
type Clock interface {
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

const defaultRegisterInterval = 300

func (a Account) authUser() string {
	if a.AuthUsername != "" {
		return a.AuthUsername
	}
	return a.Username
}

func (a Account) interval() int {
	if a.RegisterInterval > 0 {
		return a.RegisterInterval
	}
	return defaultRegisterInterval
}

// transport returns the SIP transport name in upper case (UDP, TCP, TLS).
func (a Account) transport() string {
	if a.Transport == "" {
		return "UDP"
	}
	return strings.ToUpper(a.Transport)
}

// domain returns the host part of Server, used in From/To of our AOR.
func (a Account) domain() string {
	host, _, err := splitHostPort(a.Server)
	if err != nil {
		return a.Server
	}
	return host
}

func (a Account) validate() error {
	if a.Server == "" || a.Username == "" {
		return fmt.Errorf("%w: server and username are required", ErrBadAccount)
	}
	switch a.transport() {
	case "UDP", "TCP", "TLS":
	default:
		return fmt.Errorf("%w: transport %q", ErrBadAccount, a.Transport)
	}
	if !validHostPort(a.Server) || (a.OutboundProxy != "" && !validHostPort(a.OutboundProxy)) {
		return fmt.Errorf("%w: bad server or outbound proxy", ErrBadAccount)
	}
	if !validUserPart(a.Username) || !validUserPart(a.authUser()) {
		return fmt.Errorf("%w: bad username", ErrBadAccount)
	}
	if !validDisplayName(a.DisplayName) {
		return fmt.Errorf("%w: display name has control characters or is too long", ErrBadAccount)
	}
	return nil
}

// splitHostPort splits "host", "host:port", "[v6]" or "[v6]:port".
func splitHostPort(s string) (host string, port int, err error) {
	if h, p, e := net.SplitHostPort(s); e == nil {
		n, e := strconv.Atoi(p)
		if e != nil || n <= 0 || n > 65535 {
			return "", 0, fmt.Errorf("bad port in %q", s)
		}
		return h, n, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return s[1 : len(s)-1], 0, nil
	}
	if strings.Contains(s, ":") {
		return "", 0, fmt.Errorf("bad host:port %q (IPv6 needs brackets)", s)
	}
	return s, 0, nil
}

func validHostPort(s string) bool {
	host, _, err := splitHostPort(s)
	return err == nil && validHost(host)
}

func validHost(h string) bool {
	if h == "" {
		return false
	}
	if strings.Contains(h, ":") {
		return net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")) != nil
	}
	for _, r := range h {
		if !(isAlnum(r) || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
