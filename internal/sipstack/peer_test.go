package sipstack

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// waitFor bounds every wait in these tests; reaching it is a failure.
const waitFor = 10 * time.Second

// peer is an in-process SIP endpoint on 127.0.0.1 (or another local address) built
// straight on sipgo: a digest registrar, a UAS that rings/answers/rejects, and a UAC.
type peer struct {
	t    *testing.T
	ip   string // the address it listens on and advertises
	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	cli  *sipgo.Client
	addr *net.UDPAddr
	tcp  *net.TCPAddr      // its TCP listener (a port of its own)
	reqs chan *sip.Request // every request received, in order
	// keepAlives receives every read of CRLFs alone (keep-alives, pings, pongs).
	keepAlives chan keepAliveRead

	mu         sync.Mutex
	password   string // registrar/UAS digest password; "" accepts anything
	challenge  int    // 401 or 407
	wrongCode  int    // answer to bad credentials: 401 (re-challenge) or 403
	staleOnce  bool   // answer the first good credentials with a stale=true challenge
	minExpires int    // 423 below this
	grant      int    // granted expiry; 0 echoes the request
	noPong     bool   // swallow CRLFCRLF pings on TCP instead of answering
	seenAs     string // host:port put in received/rport of REGISTER answers, as a NAT would
	onInvite   func(p *peer, req *sip.Request, tx sip.ServerTransaction)
	onAck      func(req *sip.Request) // sees every ACK, before the dialogs do
	onUpdate   func(p *peer, req *sip.Request, tx sip.ServerTransaction)
	uac        *sipgo.DialogClientSession
	uasDialogs *sipgo.DialogServerCache
	lastUAS    *sipgo.DialogServerSession
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	return newPeerOn(t, "127.0.0.1")
}

// newPeerOn starts a peer listening on ip.
func newPeerOn(t *testing.T, ip string) *peer {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	p := &peer{t: t, ip: ip, reqs: make(chan *sip.Request, 64), keepAlives: make(chan keepAliveRead, 64),
		challenge: 401, wrongCode: 401}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("peer"), sipgo.WithUserAgentHostname(ip),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log),
			sip.WithTransportLayerReadFilter(p.readFilter)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().(*net.UDPAddr)
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	cli, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(ip),
		sipgo.WithClientConnectionAddr(addr.String()))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	p.ua, p.srv, p.cli, p.addr, p.tcp = ua, srv, cli, addr, ln.Addr().(*net.TCPAddr)
	p.uasDialogs = sipgo.NewDialogServerCache(cli, p.contact())
	record := func(h sipgo.RequestHandler) sipgo.RequestHandler {
		return func(req *sip.Request, tx sip.ServerTransaction) {
			p.reqs <- req
			h(req, tx)
		}
	}
	srv.OnRegister(record(p.handleRegister))
	srv.OnInvite(record(p.handleInvite))
	srv.OnAck(record(func(req *sip.Request, tx sip.ServerTransaction) {
		p.mu.Lock()
		h := p.onAck
		p.mu.Unlock()
		if h != nil {
			h(req)
		}
		_ = p.uasDialogs.ReadAck(req, tx)
	}))
	srv.OnBye(record(p.handleBye))
	srv.OnUpdate(record(p.handleUpdate))
	srv.OnPrack(record(p.handlePrack))
	srv.OnMessage(record(p.handleMessage)) // message_test.go
	done, tcpDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(done); _ = srv.ServeUDP(pc) }()
	go func() { defer close(tcpDone); _ = srv.ServeTCP(ln) }()
	// The client sends from the listening socket; until ServeUDP has registered it, the
	// client would try to bind the same address itself and fail.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
		if c, err := ua.TransportLayer().GetConnection("udp", addr.String()); err == nil && c != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("peer: UDP listener not ready")
		}
	}
	t.Cleanup(func() {
		pc.Close()
		ln.Close()
		ua.Close()
		<-done
		<-tcpDone
	})
	return p
}

func (p *peer) hostPort() string { return p.addr.String() }

// tcpHostPort is the address of the peer's TCP listener.
func (p *peer) tcpHostPort() string { return p.tcp.String() }

// keepAliveRead is a read of CRLFs alone.
type keepAliveRead struct {
	transport string // "udp" or "tcp"
	from      string // the sender, host:port
	data      string
}

// readFilter reports reads of CRLFs alone on keepAlives and, with noPong, hides TCP
// pings from sipgo so they go unanswered.
func (p *peer) readFilter(info sip.TransportReadProps, data []byte) ([]byte, error) {
	if len(data) == 0 || len(data) > 4 || strings.Trim(string(data), "\r\n") != "" {
		return data, nil
	}
	select {
	case p.keepAlives <- keepAliveRead{transport: strings.ToLower(info.Transport), from: info.RemoteAddr.String(), data: string(data)}:
	default: // a test that does not read them
	}
	p.mu.Lock()
	swallow := p.noPong && !strings.EqualFold(info.Transport, "udp")
	p.mu.Unlock()
	if swallow {
		return nil, nil
	}
	return data, nil
}

// expectKeepAlive returns the next read of CRLFs alone.
func (p *peer) expectKeepAlive() keepAliveRead {
	p.t.Helper()
	select {
	case k := <-p.keepAlives:
		return k
	case <-time.After(waitFor):
		p.t.Fatalf("peer: no keep-alive within %v", waitFor)
		return keepAliveRead{}
	}
}

func (p *peer) contact() sip.ContactHeader {
	return sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: p.ip, Port: p.addr.Port}}
}

func (p *peer) set(f func(p *peer)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// expect returns the next received request, which must have this method.
func (p *peer) expect(method sip.RequestMethod) *sip.Request {
	p.t.Helper()
	for {
		select {
		case r := <-p.reqs:
			if r.Method == method {
				return r
			}
			if r.Method == sip.ACK {
				continue // ACKs are checked where they matter
			}
			p.t.Fatalf("peer got %s, want %s:\n%s", r.Method, method, r)
		case <-time.After(waitFor):
			p.t.Fatalf("peer: no %s within %v", method, waitFor)
		}
	}
}

// checkAuth verifies a digest (no qop) in header name of req; "" means none.
func (p *peer) checkAuth(req *sip.Request, name string) (present, ok bool) {
	h := req.GetHeader(name)
	if h == nil {
		return false, false
	}
	params := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(h.Value(), "Digest "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = strings.Trim(v, `"`)
	}
	md := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := md(params["username"] + ":test:" + p.password)
	ha2 := md(req.Method.String() + ":" + params["uri"])
	return true, params["response"] == md(ha1+":n0nce:"+ha2)
}

// authorize answers req with a challenge or rejection unless it carries
// valid credentials; it returns true when the request may proceed.
func (p *peer) authorize(req *sip.Request, tx sip.ServerTransaction) bool {
	p.mu.Lock()
	password, challenge, wrong := p.password, p.challenge, p.wrongCode
	p.mu.Unlock()
	if password == "" {
		return true
	}
	hdr, resHdr := "Authorization", "WWW-Authenticate"
	if challenge == 407 {
		hdr, resHdr = "Proxy-Authorization", "Proxy-Authenticate"
	}
	present, ok := p.checkAuth(req, hdr)
	p.mu.Lock()
	stale := ok && p.staleOnce
	p.staleOnce = p.staleOnce && !stale
	p.mu.Unlock()
	if ok && !stale {
		return true
	}
	code := challenge
	if present && wrong == 403 {
		code = 403
	}
	res := sip.NewResponseFromRequest(req, code, map[int]string{401: "Unauthorized", 407: "Proxy Authentication Required", 403: "Forbidden"}[code], nil)
	if code != 403 {
		value := `Digest realm="test", nonce="n0nce", algorithm=MD5`
		if stale {
			value += ", stale=true"
		}
		res.AppendHeader(sip.NewHeader(resHdr, value))
	}
	_ = tx.Respond(res)
	return false
}

func (p *peer) handleRegister(req *sip.Request, tx sip.ServerTransaction) {
	if !p.authorize(req, tx) {
		return
	}
	p.mu.Lock()
	minExp, grant, seenAs := p.minExpires, p.grant, p.seenAs
	p.mu.Unlock()
	exp, _ := strconv.Atoi(req.GetHeader("Expires").Value())
	if exp != 0 && exp < minExp {
		res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
		res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(minExp)))
		_ = tx.Respond(res)
		return
	}
	if grant == 0 || exp == 0 {
		grant = exp
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if host, port, err := net.SplitHostPort(seenAs); err == nil {
		res.Via().Params.Add("received", host)
		res.Via().Params.Add("rport", port)
	}
	if exp != 0 {
		ct := req.Contact().Clone()
		ct.Params = sip.NewParams()
		ct.Params.Add("expires", strconv.Itoa(grant))
		res.AppendHeader(ct)
	}
	_ = tx.Respond(res)
}

func (p *peer) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	p.mu.Lock()
	h := p.onInvite
	p.mu.Unlock()
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 480, "Temporarily Unavailable", nil))
		return
	}
	h(p, req, tx)
}

// handleUpdate passes an UPDATE to onUpdate, or answers it 200.
func (p *peer) handleUpdate(req *sip.Request, tx sip.ServerTransaction) {
	p.mu.Lock()
	h := p.onUpdate
	p.mu.Unlock()
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		return
	}
	h(p, req, tx)
}

// handlePrack answers a PRACK 200.
func (p *peer) handlePrack(req *sip.Request, tx sip.ServerTransaction) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
}

func (p *peer) handleBye(req *sip.Request, tx sip.ServerTransaction) {
	p.mu.Lock()
	uac := p.uac
	p.mu.Unlock()
	if err := p.uasDialogs.ReadBye(req, tx); err == nil {
		return
	}
	if uac != nil {
		if err := uac.ReadBye(req, tx); err == nil {
			return
		}
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
}

// answerWith returns an INVITE handler that sends 183 with early SDP and
// 180, then answers with a Record-Route pointing back at the peer and keeps
// the transaction until the ACK; or, with answer false, waits for a CANCEL.
// sipgo hands each response to its transaction on its own goroutine, so two
// responses sent back to back may overtake each other: the handler waits on
// step before each response after the first, and the test feeds step once it
// has seen the previous one.
func answerWith(sdp []byte, answer bool, step <-chan struct{}) func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
	return func(p *peer, req *sip.Request, tx sip.ServerTransaction) {
		if !p.authorize(req, tx) {
			return
		}
		d, err := p.uasDialogs.ReadInvite(req, tx)
		if err != nil {
			p.t.Errorf("peer ReadInvite: %v", err)
			return
		}
		p.set(func(p *peer) { p.lastUAS = d })
		wait := func() bool {
			select {
			case <-step:
				return true
			case <-d.Context().Done():
				return false
			}
		}
		_ = d.Respond(183, "Session Progress", sdp, sip.NewHeader("Content-Type", "application/sdp"))
		if !wait() {
			return
		}
		_ = d.Respond(180, "Ringing", nil)
		if !answer || !wait() {
			<-d.Context().Done() // until CANCEL
			return
		}
		rr := sip.NewHeader("Record-Route", fmt.Sprintf("<sip:127.0.0.1:%d;lr>", p.addr.Port))
		res := sip.NewSDPResponseFromRequest(d.InviteRequest, sdp)
		res.AppendHeader(rr)
		_ = d.WriteResponse(res)
	}
}

// dial makes the peer call the stack at its UDP address.
func (p *peer) dial(ctx context.Context, st *Stack, sdp []byte) (*sipgo.DialogClientSession, error) {
	return p.dialAt(ctx, st.UDPAddr(), sdp)
}

// dialAt sends an INVITE to alice at hostPort.
func (p *peer) dialAt(ctx context.Context, hostPort string, sdp []byte) (*sipgo.DialogClientSession, error) {
	dua := sipgo.DialogUA{Client: p.cli, ContactHDR: p.contact()}
	host, port, _ := splitHostPort(hostPort)
	from := &sip.FromHeader{DisplayName: `Peer \"P\"`, Address: sip.Uri{Scheme: "sip", User: "peer", Host: p.ip}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	sess, err := dua.Invite(ctx, sip.Uri{Scheme: "sip", User: "alice", Host: host, Port: port}, sdp, from,
		sip.NewHeader("Content-Type", "application/sdp"))
	if err == nil {
		p.set(func(p *peer) { p.uac = sess })
	}
	return sess, err
}

// recorder collects stack events for assertions.
type recorder struct {
	t  *testing.T
	ch chan Event
}

func newRecorder(t *testing.T) *recorder { return &recorder{t: t, ch: make(chan Event, 256)} }

func (r *recorder) on(ev Event) { r.ch <- ev }

func (r *recorder) next() Event {
	r.t.Helper()
	select {
	case ev := <-r.ch:
		return ev
	case <-time.After(waitFor):
		r.t.Fatalf("no event within %v", waitFor)
		return nil
	}
}

func (r *recorder) reg() RegEvent {
	r.t.Helper()
	ev, ok := r.next().(RegEvent)
	if !ok {
		r.t.Fatalf("event %#v is not a RegEvent", ev)
	}
	return ev
}

func (r *recorder) call() CallEvent {
	r.t.Helper()
	ev, ok := r.next().(CallEvent)
	if !ok {
		r.t.Fatalf("event %#v is not a CallEvent", ev)
	}
	return ev
}

func (r *recorder) incoming() Incoming {
	r.t.Helper()
	ev, ok := r.next().(Incoming)
	if !ok {
		r.t.Fatalf("event %#v is not Incoming", ev)
	}
	return ev
}

// fakeClock hands the registration loop's timers to the test.
type fakeClock struct{ timers chan fakeTimer }

type fakeTimer struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{timers: make(chan fakeTimer, 16)} }

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ft := fakeTimer{d: d, fire: make(chan time.Time, 1)}
	c.timers <- ft
	return ft.fire
}

func (c *fakeClock) next(t *testing.T) fakeTimer {
	t.Helper()
	select {
	case ft := <-c.timers:
		return ft
	case <-time.After(waitFor):
		t.Fatal("registration loop set no timer")
		return fakeTimer{}
	}
}

// newTestStack starts a stack on 127.0.0.1 with an event recorder.
func newTestStack(t *testing.T, clock Clock, trace func(Trace)) (*Stack, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", UserAgent: "wpservice-test", OnEvent: rec.on,
		OnTrace: trace, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

func testSDP(port int) []byte {
	return BuildSDP(1, 1, MediaDesc{IP: "127.0.0.1", Port: port, Codecs: []Codec{{0, "PCMU", 8000}}, DTMFPT: 101})
}
