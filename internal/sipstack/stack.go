// Package sipstack is the SIP signalling of the engine and the only importer
// of sipgo: UDP/TCP listeners and TLS client connections, REGISTER with
// digest authentication and refresh, INVITE dialogs in both directions, and
// SDP offer/answer helpers. It knows nothing of lines, audio or the control
// API; everything asynchronous is reported through Config.OnEvent.
package sipstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// allowMethods is what we advertise in Allow headers.
const allowMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, NOTIFY, REFER, MESSAGE"

// Stack is one SIP endpoint: its transports, the account registration and
// the calls. All methods are safe for concurrent use.
type Stack struct {
	cfg   Config
	log   *slog.Logger
	trace *tracer
	clock Clock

	ua            *sipgo.UserAgent
	srv           *sipgo.Server
	fixedIP       net.IP        // the one address we listen on and advertise; nil: every address
	udpClient     *sipgo.Client // requests leave from the UDP listening socket (fixedIP's, or loopback's)
	tcpClient     *sipgo.Client // TCP and TLS: connections dialed per peer
	udpLaddr      sip.Addr
	udpConn       *net.UDPConn // the listening socket; UDP keep-alives leave from it
	tcpPort       int
	closers       []io.Closer
	serving       sync.WaitGroup
	ctx           context.Context // ends at Close, for the stack's own background work
	cancel        context.CancelFunc
	sources       trustedSources
	pongs         pongWaiter     // keep-alive pongs read on stream connections
	public        publicAddrs    // our address as the registrar sees it, per local address
	flows         flowPorts      // the local port of each account's registration's TLS connection (tlsflow.go)
	door          *door          // between the sockets and sipgo (frontdoor.go)
	resolver      *resolver      // finds an account's server in DNS (resolve.go)
	routes        routeTable     // ... and what it found per account, shared by registration and calls (routes.go)
	branches      reusedBranches // our server transactions, for requests that reuse a branch (branch.go)
	gate          *sendGate      // every request's way out, shut at Close (sendgate.go)
	dialedStreams dialedStreams  // what the connections we dialed bring (frontdoor_dialed.go)
	subs          subscriptions  // SUBSCRIBE dialogs of ours (subscribe.go)
	ringing       ringingCalls   // our outgoing calls while they ring (ringing.go)

	mu         sync.Mutex
	acc        Account
	hasAcc     bool
	closed     bool
	reg        *regLoop
	regSess    *regSession
	extras     map[string]*extraAccount // the accounts besides the default, by ID (accounts.go)
	calls      map[string]*Call         // in-dialog lookup, by sipgo dialog ID
	udpClients map[string]*sipgo.Client // listening on every address: one per advertised address
}

// New opens the UDP and TCP listeners and starts serving: on cfg.ListenIP, or on every
// local address when it is empty.
func New(cfg Config) (*Stack, error) {
	var ip net.IP // nil: every address
	if cfg.ListenIP != "" {
		if ip = net.ParseIP(cfg.ListenIP); ip == nil || ip.IsUnspecified() {
			return nil, fmt.Errorf("sipstack: ListenIP must be a specific IP address or empty, got %q", cfg.ListenIP)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "wpservice"
	}
	s := &Stack{
		cfg:        cfg,
		log:        cfg.Logger.With("component", "sipstack"),
		trace:      &tracer{fn: cfg.OnTrace},
		clock:      cfg.Clock,
		fixedIP:    ip,
		calls:      map[string]*Call{},
		udpClients: map[string]*sipgo.Client{},
		resolver:   newResolver(cfg.DNSServer),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.clock == nil {
		s.clock = realClock{}
	}
	if err := s.open(ip); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open starts the listeners on ip (nil: every local address).
func (s *Stack) open(ip net.IP) error {
	advertised := loopbackIP // the UA's default host; every request sets its own
	if ip != nil {
		advertised = ip.String()
	}
	s.door = newDoor(s)
	sipgoLog := slog.New(newQuietHandler(s.log.Handler())) // bad packets, limited (frontdoor_log.go)
	tpOpts := []sip.TransportLayerOption{
		sip.WithTransportLayerLogger(sipgoLog),
		sip.WithTransportLayerReadFilter(s.readFilter),
	}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(s.cfg.UserAgent),
		sipgo.WithUserAgentHostname(advertised),
		sipgo.WithUserAgenTLSConfig(s.cfg.TLSConfig),
		sipgo.WithUserAgentTransportLayerOptions(tpOpts...),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipgoLog)),
	)
	if err != nil {
		return fmt.Errorf("sipstack: user agent: %w", err)
	}
	s.ua = ua
	s.gate = &sendGate{txl: ua.TransactionLayer(), tpl: ua.TransportLayer()}
	if s.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(sipgoLog)); err != nil {
		return fmt.Errorf("sipstack: server: %w", err)
	}
	s.srv.OnInvite(s.guard(s.onInvite))
	s.srv.OnAck(s.guard(s.onAck))
	s.srv.OnBye(s.guard(s.onBye))
	s.srv.OnCancel(s.guard(s.onCancel))
	s.srv.OnUpdate(s.guard(s.onUpdate))
	s.srv.OnPrack(s.guard(s.onPrack))
	s.srv.OnNotify(s.guard(s.onNotify))
	s.srv.OnRefer(s.guard(s.onRefer))
	s.srv.OnOptions(s.guard(s.answeredAtOnce(s.onOptions)))
	s.srv.OnMessage(s.guard(s.answeredAtOnce(s.onMessage))) // message_in.go
	s.srv.OnNoRoute(s.guard(s.answeredAtOnce(s.onUnhandled)))

	if s.cfg.NoUDP {
		return s.openTCPOnly(ua, ip)
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: s.cfg.UDPPort})
	if err != nil {
		return fmt.Errorf("sipstack: listen udp: %w", err)
	}
	s.closers = append(s.closers, pc)
	s.udpConn = pc
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: s.cfg.TCPPort})
	if err != nil {
		return fmt.Errorf("sipstack: listen tcp: %w", err)
	}
	s.closers = append(s.closers, ln)
	// The transport layer keys the listening socket by its own address ("[::]:5060"
	// when it listens on every address); pinLocal names it that way.
	la := pc.LocalAddr().(*net.UDPAddr)
	s.tcpPort = ln.Addr().(*net.TCPAddr).Port
	s.udpLaddr = sip.Addr{IP: la.IP, Port: la.Port, Hostname: la.IP.String()}
	if s.udpClient, err = s.newUDPClient(advertised); err != nil {
		return fmt.Errorf("sipstack: udp client: %w", err)
	}
	if s.tcpClient, err = s.newClient(sipgo.WithClientLogger(s.log), sipgo.WithClientNAT()); err != nil {
		return fmt.Errorf("sipstack: tcp client: %w", err)
	}

	var udpConn net.PacketConn = doorPacketConn{PacketConn: pc, d: s.door}
	var tcpLn net.Listener = doorListener{Listener: ln, d: s.door}
	if s.trace.enabled() {
		udpConn = tracedPacketConn{PacketConn: udpConn, t: s.trace}
		tcpLn = tracedListener{Listener: tcpLn, t: s.trace}
	}
	reading := &firstReadConn{PacketConn: udpConn, reading: make(chan struct{})}
	served := make(chan error, 1)
	s.serving.Add(2)
	go func() { defer s.serving.Done(); served <- s.srv.ServeUDP(reading) }()
	go func() { defer s.serving.Done(); _ = s.srv.ServeTCP(tcpLn) }()
	if err := waitServing(reading.reading, served); err != nil {
		return err
	}
	s.log.Info("listening", "udp", pc.LocalAddr().String(), "tcp", ln.Addr().String())
	return nil
}

// openTCPOnly starts the TCP listener alone (Config.NoUDP). There is no UDP socket
// of ours: a request over UDP leaves, if the host allows it at all, from a socket
// sipgo connects to its destination, which sends no keep-alives.
func (s *Stack) openTCPOnly(ua *sipgo.UserAgent, ip net.IP) error {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: s.cfg.TCPPort})
	if err != nil {
		return fmt.Errorf("sipstack: listen tcp: %w", err)
	}
	s.closers = append(s.closers, ln)
	la := ln.Addr().(*net.TCPAddr)
	s.tcpPort = la.Port
	s.udpLaddr = sip.Addr{IP: la.IP, Hostname: la.IP.String()}
	if s.tcpClient, err = s.newClient(sipgo.WithClientLogger(s.log), sipgo.WithClientNAT()); err != nil {
		return fmt.Errorf("sipstack: tcp client: %w", err)
	}
	s.udpClient = s.tcpClient
	var tcpLn net.Listener = doorListener{Listener: ln, d: s.door}
	if s.trace.enabled() {
		tcpLn = tracedListener{Listener: tcpLn, t: s.trace}
	}
	s.serving.Add(1)
	go func() { defer s.serving.Done(); _ = s.srv.ServeTCP(tcpLn) }()
	s.log.Info("listening", "udp", "off", "tcp", ln.Addr().String())
	return nil
}

// readFilter sees every read of every transport before sipgo parses it: it notes
// keep-alive pongs, judges what comes on the connections we dialed, frees the
// branch of a request that reuses one, and traces.
func (s *Stack) readFilter(info sip.TransportReadProps, data []byte) ([]byte, error) {
	data, _ = s.pongs.filter(info, data)
	data, err := s.doorDialed(info, data) // frontdoor_dialed.go
	if err != nil {
		return nil, err
	}
	data = s.branches.filter(info, data)
	if s.trace.enabled() {
		return s.trace.readFilter(info, data)
	}
	return data, nil
}

// waitServing returns once sipgo has taken the UDP socket into its pool, so that
// the first request can leave from it: sipgo adds the socket to its pool and then
// starts reading it, so the first read (reading closed) says it is there.
func waitServing(reading <-chan struct{}, served <-chan error) error {
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-reading:
		return nil
	case err := <-served:
		if err == nil {
			return errors.New("sipstack: UDP transport stopped at start")
		}
		return fmt.Errorf("sipstack: UDP transport stopped at start: %w", err)
	case <-t.C:
		return errors.New("sipstack: UDP transport did not start")
	}
}

// firstReadConn closes reading when its first read begins.
type firstReadConn struct {
	net.PacketConn
	reading chan struct{}
	once    sync.Once
}

func (c *firstReadConn) ReadFrom(b []byte) (int, net.Addr, error) {
	c.once.Do(func() { close(c.reading) })
	return c.PacketConn.ReadFrom(b)
}

// UDPAddr returns the local UDP address, host:port.
func (s *Stack) UDPAddr() string { return s.udpLaddr.String() }

// TCPAddr returns the local TCP listening address, host:port.
func (s *Stack) TCPAddr() string {
	return net.JoinHostPort(s.udpLaddr.Hostname, strconv.Itoa(s.tcpPort))
}

// Close ends the registration (REGISTER Expires: 0, if registered),
// closes the transports and waits for the serving goroutines.
func (s *Stack) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	registered := s.reg != nil
	s.mu.Unlock()
	unsubscribe, cancelUnsubscribe := context.WithTimeout(context.Background(), unsubscribeTimeout)
	s.stopSubscriptions(unsubscribe)
	cancelUnsubscribe()
	ctx, cancel := context.WithTimeout(context.Background(), unregisterTimeout)
	extras := s.stopExtraLoops()
	var unregistered sync.WaitGroup
	unregistered.Go(func() { s.unregisterExtras(ctx, extras) })
	if registered {
		if err := s.Unregister(ctx); err != nil {
			s.log.Warn("unregister on close failed", "error", err)
		}
	}
	unregistered.Wait()
	cancel()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	if s.gate != nil {
		s.gate.close()
	}
	var errs []error
	for _, c := range s.closers {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if s.ua != nil {
		errs = append(errs, s.ua.Close())
	}
	s.serving.Wait()
	return errors.Join(errs...)
}

// SetAccount sets the identity used for REGISTER and outgoing calls: the default
// account's, or with an ID another's (accounts.go). It does not start registering;
// call Register for that.
func (s *Stack) SetAccount(acc Account) error {
	if err := acc.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if acc.ID != "" {
		s.setExtra(acc)
		return nil
	}
	s.acc, s.hasAcc = acc, true
	s.trustAccount(acc)
	return nil
}

func (s *Stack) account() (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acc, s.hasAcc
}

// background runs f on a goroutine of its own with a context that ends at Close,
// which waits for it; after Close it does not run f.
func (s *Stack) background(f func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		f(s.ctx)
	}()
}

func (s *Stack) emit(ev Event) {
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(ev)
	}
}

// contact is our Contact, for the account with id ("" the default), for a
// transport, at the address ip we advertise, or at the public address the
// registrar saw for it when that differs. For TLS there is no listener: the port
// is the account's registration's connection's (tlsflow.go), or, before one is
// open, left out and filled from the connection when the INVITE goes.
func (s *Stack) contact(id, transport, user, ip string) sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: user, Host: ip}
	switch transport {
	case "UDP":
		u.Port = s.udpLaddr.Port
	case "TCP":
		u.Port = s.tcpPort
		u.UriParams = sip.HeaderParams{{K: "transport", V: "tcp"}}
	case "TLS":
		u.Port, _ = s.flows.get(id, ip)
		u.UriParams = sip.HeaderParams{{K: "transport", V: "tls"}}
	}
	if pub, ok := s.public.get(transport, ip); ok {
		u.Host, u.Port = pub.host, pub.port // the registrar saw us there (publicaddr.go)
	}
	return sip.ContactHeader{Address: u}
}

// dialogUA sends and answers the requests of one dialog of the account with id,
// advertising ip.
func (s *Stack) dialogUA(id, transport, user, ip string) *sipgo.DialogUA {
	return &sipgo.DialogUA{Client: s.client(transport, ip), ContactHDR: s.contact(id, transport, user, ip)}
}

// pinLocal makes a UDP request leave from our listening socket, so that the
// peer's answers (and rport) reach the port in Via and Contact.
func (s *Stack) pinLocal(req *sip.Request) {
	if strings.EqualFold(req.Transport(), "UDP") {
		s.udpLaddr.Copy(&req.Laddr)
	}
}

func (s *Stack) addCall(id string, c *Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[id] = c
}

func (s *Stack) removeCall(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.calls, id)
}

// findCall matches an in-dialog request to a call we are the UAS or UAC of.
func (s *Stack) findCall(req *sip.Request) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil {
		if c := s.calls[id]; c != nil {
			return c
		}
	}
	if id, err := sip.DialogIDFromRequestUAC(req); err == nil {
		return s.calls[id]
	}
	return nil
}

// aor returns our address of record as a From/To header value.
func aor(acc Account) sip.Uri {
	return sip.Uri{Scheme: "sip", User: acc.Username, Host: acc.domain()}
}

func newTag() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newCallID is a fresh Call-ID: 128 random bits, without the "@host" RFC 3261 makes
// optional, which would tell every server our private address.
func newCallID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// routeTo adds a preloaded Route to the outbound proxy, if any.
func routeTo(req *sip.Request, acc Account) {
	if acc.OutboundProxy == "" {
		return
	}
	host, port, _ := splitHostPort(acc.OutboundProxy)
	u := sip.Uri{Scheme: "sip", Host: host, Port: port, UriParams: sip.HeaderParams{{K: "lr", V: ""}}}
	if t := acc.transport(); t != "UDP" {
		u.UriParams.Add("transport", strings.ToLower(t))
	}
	req.AppendHeader(&sip.RouteHeader{Address: u})
}
