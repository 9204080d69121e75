package phone

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// fakeSIP records what the phone asks of the signalling stack.
type fakeSIP struct {
	mu          sync.Mutex
	acc         account.Account
	registers   int
	unregisters int
	dialed      []*fakeDialog
	dialErr     error
	accountErr  error // SetAccount's answer
	registerErr error // Register's answer
	nextCallID  int
	localIPs    map[string]string // LocalIP's answer per target; 127.0.0.1 for others
	onLookup    func()            // when set, LocalIP calls it first (a slow name lookup)
}

func (f *fakeSIP) SetAccount(a account.Account) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.accountErr != nil {
		return f.accountErr
	}
	f.acc = a
	return nil
}
func (f *fakeSIP) Register() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registers++
	return f.registerErr
}
func (f *fakeSIP) Unregister(context.Context) error {
	f.mu.Lock()
	f.unregisters++
	f.mu.Unlock()
	return nil
}
func (f *fakeSIP) LocalIP(target string) string {
	f.mu.Lock()
	lookup := f.onLookup
	f.mu.Unlock()
	if lookup != nil {
		lookup()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if ip, ok := f.localIPs[target]; ok {
		return ip
	}
	return "127.0.0.1"
}
func (f *fakeSIP) Target(to string) (string, error) {
	f.mu.Lock()
	acc := f.acc
	f.mu.Unlock()
	return sipstack.ParseTarget(to, sipstack.Account{Server: acc.Server, Username: acc.Username})
}
func (f *fakeSIP) Headers(h map[string]string) ([]Header, error) {
	checked, err := sipstack.ParseHeaders(h)
	out := make([]Header, len(checked))
	for i, c := range checked {
		out[i] = Header(c)
	}
	return out, err
}
func (f *fakeSIP) Dial(target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dialErr != nil {
		return nil, f.dialErr
	}
	f.nextCallID++
	d := &fakeDialog{id: fmt.Sprintf("sip-out-%d", f.nextCallID), target: target, offer: offer, headers: headers, reoffer: reoffer}
	f.dialed = append(f.dialed, d)
	return d, nil
}

func (f *fakeSIP) lastDial(t *testing.T) *fakeDialog {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.dialed) == 0 {
		t.Fatal("nothing dialed")
	}
	return f.dialed[len(f.dialed)-1]
}

// fakeDialog records the responses and requests the phone makes on one dialog.
type fakeDialog struct {
	mu      sync.Mutex
	id      string
	target  string
	offer   []byte
	headers []Header
	actions []string
	answer  []byte
	hungup  chan struct{}
	// hold answers Hold (hold_test.go): nil accepts with the peer's SDP in holdAnswer
	holdErr    error
	holdAnswer []byte
	holdGate   chan struct{}          // when set, Hold waits for it
	moveErr    error                  // MoveMedia's answer (netchange_test.go); nil accepts
	referErr   error                  // Refer's answer (transfer_test.go); nil accepts
	reoffer    func(ip string) []byte // Dial's, for a redirect from another address (redirect_test.go)
	forwardErr error                  // Forward's answer (forward_test.go); nil sends the 302
	answerErr  error                  // Answer's (pickedup_test.go); nil: the 200 went out
}

func (d *fakeDialog) CallID() string { return d.id }
func (d *fakeDialog) record(a string) {
	d.mu.Lock()
	d.actions = append(d.actions, a)
	d.mu.Unlock()
}
func (d *fakeDialog) Ring() error { d.record("ring"); return nil }
func (d *fakeDialog) Answer(sdp []byte) error {
	d.mu.Lock()
	d.answer = sdp
	d.mu.Unlock()
	d.record("answer")
	return d.answerErr
}
func (d *fakeDialog) Reject(code int, _ string) error {
	d.record(fmt.Sprintf("reject %d", code))
	return nil
}
func (d *fakeDialog) Forward(target string) error {
	if d.forwardErr != nil {
		return d.forwardErr
	}
	d.record("forward " + target)
	return nil
}
func (d *fakeDialog) Hangup(context.Context) error { d.record("hangup"); return nil }
func (d *fakeDialog) did() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.actions...)
}

// fakeStream is an RTP session that loops nothing: it records frames written, returns
// a fixed frame on read and counts DTMF.
type fakeStream struct {
	mu      sync.Mutex
	port    int
	localIP string         // the address it was opened on
	public  netip.AddrPort // what PublicAddr says
	rtcp    netip.AddrPort // what PublicRTCPAddr says
	params  []MediaParams
	written [][]int16
	rxFrame []int16
	dtmf    []string
	punched []string      // the remotes Punch was asked for
	ready   chan struct{} // what Ready says; nil: ready at once
	last    time.Time
	closed  bool
}

func (s *fakeStream) LocalPort() int                 { return s.port }
func (s *fakeStream) PublicAddr() netip.AddrPort     { <-s.Ready(); return s.public }
func (s *fakeStream) PublicRTCPAddr() netip.AddrPort { <-s.Ready(); return s.rtcp }

// Ready is s.ready, a channel the test closes when its fake STUN server answers,
// or one closed already.
func (s *fakeStream) Ready() <-chan struct{} {
	if s.ready == nil {
		return readyNow
	}
	return s.ready
}

// readyNow is the Ready of a stream that asks no STUN server.
var readyNow = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

func (s *fakeStream) Punch(remote *net.UDPAddr) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.punched = append(s.punched, remote.String())
	return nil
}
func (s *fakeStream) Start(p MediaParams) error {
	s.mu.Lock()
	s.params = append(s.params, p)
	s.mu.Unlock()
	return nil
}
func (s *fakeStream) WriteFrame(pcm []int16) error {
	s.mu.Lock()
	s.written = append(s.written, append([]int16(nil), pcm...))
	s.mu.Unlock()
	return nil
}
func (s *fakeStream) ReadFrame(pcm []int16) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rxFrame == nil {
		clear(pcm)
		return false
	}
	copy(pcm, s.rxFrame)
	return true
}
func (s *fakeStream) SendDTMF(d string) error {
	s.mu.Lock()
	s.dtmf = append(s.dtmf, d)
	s.mu.Unlock()
	return nil
}
func (s *fakeStream) LastReceived() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.last }

// started is a copy of the parameters of every Start so far, taken under the lock.
func (s *fakeStream) started() []MediaParams {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.params)
}
func (s *fakeStream) Close() error { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }

// fakeAudio is a tone source and a sink that keeps what it gets. It counts how often
// the engine opened the local audio (Use from nothing to something) and closed it.
type fakeAudio struct {
	src           audio.Source
	mu            sync.Mutex
	sunk          [][]int16
	using         audioNeed // what Use last asked for
	opens, closes int
	closedAt      time.Time    // when the engine last closed it
	reads         atomic.Int64 // frames read from the microphone
}

func (a *fakeAudio) Use(capture, playback bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := audioNeed{capture: capture, playback: playback}
	switch {
	case a.using.none() && !n.none():
		a.opens++
	case !a.using.none() && n.none():
		a.closes++
		a.closedAt = time.Now()
	}
	a.using = n
	return nil
}

// state returns what the engine uses of the local audio and how often it opened and
// closed it.
func (a *fakeAudio) state() (using audioNeed, opens, closes int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.using, a.opens, a.closes
}

func (a *fakeAudio) Source() audio.Source { return micOf{a} }

// micOf is the fake microphone: it counts the frames the media clock reads.
type micOf struct{ a *fakeAudio }

func (m micOf) ReadFrame(pcm []int16) error {
	m.a.reads.Add(1)
	return m.a.src.ReadFrame(pcm)
}
func (a *fakeAudio) Sink() audio.Sink { return a }
func (a *fakeAudio) WriteFrame(pcm []int16) error {
	a.mu.Lock()
	a.sunk = append(a.sunk, append([]int16(nil), pcm...))
	a.mu.Unlock()
	return nil
}
func (a *fakeAudio) Devices() api.Devices { return api.Devices{Backend: "fake"} }
func (a *fakeAudio) Select(args api.DeviceSelectArgs) (api.Devices, error) {
	if args.Input == "missing" {
		return api.Devices{}, api.NewError(api.CodeNotFound, "no such device")
	}
	return api.Devices{Backend: "fake", SelectedInput: args.Input}, nil
}

// rig is a running Phone with fakes and an event recorder.
type rig struct {
	t      *testing.T
	p      *Phone
	sip    *fakeSIP
	audio  *fakeAudio
	tick   chan time.Time
	now    time.Time
	nowMu  sync.Mutex
	events chan api.Event
	hello  api.Event
	stream []*fakeStream
	smu    sync.Mutex
	stop   func()
}

func newRig(t *testing.T, mod func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, sip: &fakeSIP{}, audio: &fakeAudio{src: audio.NewToneSource(1000, 8000)},
		tick: make(chan time.Time), now: time.Unix(1_700_000_000, 0), events: make(chan api.Event, 1000)}
	cfg := Config{
		SIP: r.sip, Audio: r.audio, FrameTick: r.tick,
		Media: func(localIP string) (Stream, error) {
			r.smu.Lock()
			defer r.smu.Unlock()
			s := &fakeStream{port: 40000 + 2*len(r.stream), localIP: localIP}
			r.stream = append(r.stream, s)
			return s, nil
		},
		Account:  account.Account{Server: "127.0.0.1:5060", Username: "alice", Password: "secret", Codecs: []string{"PCMU", "PCMA"}},
		Settings: Settings{MaxLines: 2, RTPTimeout: 10 * time.Second},
		Now: func() time.Time {
			r.nowMu.Lock()
			defer r.nowMu.Unlock()
			return r.now
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(func() { r.stop() })
	r.hello, _ = p.Watch(func(ev api.Event) { r.events <- ev })
	return r
}

func (r *rig) advance(d time.Duration) {
	r.nowMu.Lock()
	r.now = r.now.Add(d)
	r.nowMu.Unlock()
}

func (r *rig) do(cmd string, args any) (any, error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return r.p.do(ctx, cmd, args)
}

// do runs the engine's handler of the command name, as control does.
func (p *Phone) do(ctx context.Context, name string, args any) (any, error) {
	for _, h := range p.Handlers() {
		if h.Spec.Name == name {
			return h.Run(ctx, args)
		}
	}
	return nil, api.NewError(api.CodeUnknownCommand, "no handler for "+name) // as control answers
}

func (r *rig) mustDo(cmd string, args any) any {
	r.t.Helper()
	v, err := r.do(cmd, args)
	if err != nil {
		r.t.Fatalf("%s: %v", cmd, err)
	}
	return v
}

// sync waits until the actor has processed everything posted so far.
func (r *rig) sync() { r.mustDo(api.CmdStatus.Name, nil) }

// sipEvent delivers a SIP input for a call, as the adapter would.
func (r *rig) sipEvent(sipID string, in input, code int, sdp []byte) {
	r.p.post(func() { r.p.onCallEvent(sipID, in, code, "", sdp) })
	r.sync()
}

// nextCallState waits for the next call.state event.
func (r *rig) nextCallState() api.CallState {
	r.t.Helper()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == api.EvCallState {
				return ev.Data.(api.CallState)
			}
		case <-time.After(2 * time.Second):
			r.t.Fatal("no call.state event")
		}
	}
}

func (r *rig) expectStates(want ...string) api.CallState {
	r.t.Helper()
	var cs api.CallState
	for _, w := range want {
		cs = r.nextCallState()
		if cs.State != w {
			r.t.Fatalf("call state %q, want %q (%+v)", cs.State, w, cs)
		}
	}
	return cs
}

func (r *rig) lastStream() *fakeStream {
	r.smu.Lock()
	defer r.smu.Unlock()
	return r.stream[len(r.stream)-1]
}

// apiCode is the wire code control sends for err; "" for no error.
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	return control.WireError(err).Code
}

// peerSDP builds an SDP as a peer would send it.
func peerSDP(port int, codecs ...sipstack.Codec) []byte {
	return sipstack.BuildSDP(7, 1, sipstack.MediaDesc{IP: "127.0.0.1", Port: port, Codecs: codecs, DTMFPT: 101, Direction: "sendrecv"})
}

var (
	pcmu = sipstack.Codec{PT: 0, Name: "PCMU", Rate: 8000}
	pcma = sipstack.Codec{PT: 8, Name: "PCMA", Rate: 8000}
	g729 = sipstack.Codec{PT: 18, Name: "G729", Rate: 8000}
)
