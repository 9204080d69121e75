package sipstack

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// request is a request of method as the transport hands it over: from source, in the
// dialog of Call-ID "c1" when toTag is set.
func request(method sip.RequestMethod, source, toTag string) *sip.Request {
	req := sip.NewRequest(method, sip.Uri{Scheme: "sip", User: "alice", Host: "192.0.2.2"})
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "bob", Host: "example.org"}, Params: sip.NewParams()}
	from.Params.Add("tag", "ft")
	to := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "192.0.2.2"}, Params: sip.NewParams()}
	if toTag != "" {
		to.Params.Add("tag", toTag)
	}
	callID := sip.CallIDHeader("c1")
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	req.SetSource(source)
	return req
}

// filterStack is a stack with no sockets, enough for the source filter.
func filterStack(cfg Config) *Stack {
	return &Stack{cfg: cfg, log: slog.New(slog.DiscardHandler), calls: map[string]*Call{}}
}

func TestSourceFilter(t *testing.T) {
	st := filterStack(Config{})
	gen, names := st.sources.reset(Account{Server: "pbx.example.org:5060", OutboundProxy: "198.51.100.9"})
	if len(names) != 1 || names[0] != "pbx.example.org" {
		t.Fatalf("names to resolve %v, want the server's", names)
	}
	st.sources.resolved(gen, "pbx.example.org", []netip.Addr{netip.MustParseAddr("203.0.113.5")})
	st.sources.resolved(gen-1, "pbx.example.org", []netip.Addr{netip.MustParseAddr("203.0.113.66")}) // an older account's lookup
	st.sources.learn(Account{Server: "pbx.example.org:5060", OutboundProxy: "198.51.100.9"}, "203.0.113.7:5060")
	st.sources.learn(Account{Server: "old.example.org"}, "203.0.113.8:5060") // an older account's REGISTER
	dialog := request(sip.BYE, "192.0.2.77:5060", "tt")
	id, _ := sip.DialogIDFromRequestUAS(dialog)
	st.calls[id] = &Call{}

	tests := []struct {
		name, source string
		req          *sip.Request
		want         bool
	}{
		{"loopback", "127.0.0.1:5060", nil, true},
		{"IPv6 loopback", "[::1]:5060", nil, true},
		{"the outbound proxy", "198.51.100.9:5060", nil, true},
		{"the server's resolved address", "203.0.113.5:5060", nil, true},
		{"the server as IPv4-mapped IPv6", "[::ffff:203.0.113.5]:5060", nil, true},
		{"an address a REGISTER was answered from", "203.0.113.7:5080", nil, true},
		{"a stranger on the LAN", "192.0.2.77:5060", nil, false},
		{"a stranger on the internet", "203.0.113.99:5060", nil, false},
		{"an older account's lookup", "203.0.113.66:5060", nil, false},
		{"an older account's registrar", "203.0.113.8:5060", nil, false},
		{"no source", "", nil, false},
		{"a stranger inside one of our dialogs", "", dialog, true},
		{"a stranger in a dialog we do not know", "", request(sip.BYE, "192.0.2.77:5060", "other"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			if req == nil {
				req = request(sip.INVITE, tt.source, "")
			}
			if got := st.admits(req); got != tt.want {
				t.Errorf("admits from %q = %v, want %v", req.MessageData.Source(), got, tt.want)
			}
		})
	}

	direct := filterStack(Config{AcceptDirectCalls: true})
	if !direct.admits(request(sip.INVITE, "192.0.2.77:5060", "")) {
		t.Error("AcceptDirectCalls refused a stranger")
	}
}

// answerTx is a server transaction that records what the handler answers.
type answerTx struct {
	sip.ServerTransaction // nil: any other use fails the test with a panic
	answers               []int
}

func (tx *answerTx) Respond(res *sip.Response) error {
	tx.answers = append(tx.answers, res.StatusCode)
	return nil
}

func TestGuardRefusesStrangers(t *testing.T) {
	st := filterStack(Config{})
	st.sources.reset(Account{Server: "198.51.100.9"})
	tests := []struct {
		name    string
		req     *sip.Request
		served  bool
		answers []int
	}{
		{"an INVITE from a stranger gets 403", request(sip.INVITE, "192.0.2.77:5060", ""), false, []int{403}},
		{"an OPTIONS probe from a stranger is dropped", request(sip.OPTIONS, "192.0.2.77:5060", ""), false, nil},
		{"a stray BYE from a stranger is dropped", request(sip.BYE, "192.0.2.77:5060", "tt"), false, nil},
		{"an INVITE from the server is served", request(sip.INVITE, "198.51.100.9:5060", ""), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served := false
			tx := &answerTx{}
			st.guard(func(*sip.Request, sip.ServerTransaction) { served = true })(tt.req, tx)
			if served != tt.served || len(tx.answers) != len(tt.answers) || len(tt.answers) > 0 && tx.answers[0] != tt.answers[0] {
				t.Errorf("served %v, answers %v; want %v, %v", served, tx.answers, tt.served, tt.answers)
			}
		})
	}
}

// A stack listening on every address refuses a caller on the network until that
// caller is the account's server.
func TestDirectCallsNeedTheSetting(t *testing.T) {
	ip := hostIP(t)
	p := newPeerOn(t, ip)
	st, rec := newWildcardStack(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	us := net.JoinHostPort(ip, portOf(st))
	offer := BuildSDP(1, 1, MediaDesc{IP: ip, Port: 50000, Codecs: []Codec{{0, "PCMU", 8000}}})

	sess, err := p.dialAt(ctx, us, offer)
	if err != nil {
		t.Fatal(err)
	}
	var refused *sipgo.ErrDialogResponse
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); !errors.As(err, &refused) || refused.Res.StatusCode != 403 {
		t.Fatalf("a stranger's INVITE: %v, want 403", err)
	}

	if err := st.SetAccount(Account{Server: p.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err = p.dialAt(ctx, us, offer); err != nil {
		t.Fatal(err)
	}
	if in := rec.incoming(); in.FromUser != "peer" {
		t.Errorf("Incoming %+v", in)
	}
}
