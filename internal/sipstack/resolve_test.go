package sipstack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// dnsDomain is the domain the DNS tests' accounts name, served by dnsmasq only.
const dnsDomain = "example.test"

// TestAccountFoundThroughDNS: an account whose server is a bare domain finds its
// registrar through the domain's NAPTR and SRV records, served by dnsmasq: the
// NAPTR records name the SRV records, the first SRV target does not answer, and
// the REGISTER goes on to the next, a kamailio. A call to a user of the domain goes the same way, and, too large for
// a datagram, over TCP, which the domain's NAPTR records offer.
func TestAccountFoundThroughDNS(t *testing.T) {
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{Aliases: []string{dnsDomain}})
	dead := testpeer.FreeUDPPort(t)
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "pbx." + dnsDomain, Records: []string{
		"host-record=dead." + dnsDomain + ",127.0.0.1",
		"host-record=pbx." + dnsDomain + ",127.0.0.1",
		// SRV names that only the NAPTR records lead to, not RFC 3263's default ones.
		fmt.Sprintf("srv-host=_sip._udp.servers.%s,dead.%s,%d,10,0", dnsDomain, dnsDomain, dead),
		fmt.Sprintf("srv-host=_sip._udp.servers.%s,pbx.%s,%d,20,0", dnsDomain, dnsDomain, k.Port),
		fmt.Sprintf("srv-host=_sip._tcp.servers.%s,pbx.%s,%d,10,0", dnsDomain, dnsDomain, k.Port),
		"naptr-record=" + dnsDomain + ",10,10,s,SIP+D2U,,_sip._udp.servers." + dnsDomain,
		"naptr-record=" + dnsDomain + ",20,10,s,SIP+D2T,,_sip._tcp.servers." + dnsDomain,
		"naptr-record=" + dnsDomain + ",5,10,s,SIP+D2X,,_sip._sctp.servers." + dnsDomain, // a service we do not use
	}})

	var mu sync.Mutex
	var received []string // by bob, through kamailio, with alice's Via below kamailio's
	alice, aliceEv := dnsStack(t, dns.Addr, nil)
	bob, bobEv := dnsStack(t, dns.Addr, func(tr Trace) {
		if tr.Dir == "recv" {
			mu.Lock()
			received = append(received, tr.Message)
			mu.Unlock()
		}
	})
	for _, x := range []struct {
		st   *Stack
		rec  *recorder
		user string
	}{{alice, aliceEv, "alice"}, {bob, bobEv, "bob"}} {
		if err := x.st.SetAccount(Account{Server: dnsDomain, Username: x.user}); err != nil {
			t.Fatal(err)
		}
		if err := x.st.Register(); err != nil {
			t.Fatal(err)
		}
		x.rec.reg() // registering
		if ev := x.rec.reg(); ev.State != RegRegistered {
			t.Fatalf("%s: %+v, want registered through the second SRV target", x.user, ev)
		}
	}

	acc, _ := alice.account()
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	sdp := append(testSDP(40000), []byte(strings.Repeat("a=x-pad:"+strings.Repeat("p", 60)+"\r\n", 25))...)
	call, err := alice.Dial(DialOptions{Target: target, SDP: sdp})
	if err != nil {
		t.Fatal(err)
	}
	in := bobEv.incoming()
	if err := in.Call.Answer(testSDP(40002)); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Answered, 200)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("hang-up: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	var invite string
	for _, m := range received {
		if strings.HasPrefix(m, "INVITE ") {
			invite = m
		}
	}
	if len(invite) <= 1300 || !strings.Contains(invite, "Via: SIP/2.0/TCP") {
		t.Fatalf("the INVITE of %d bytes did not leave alice over TCP:\n%.600s", len(invite), invite)
	}
}

// dnsStack is a stack that asks the DNS server at dns, and gives a REGISTER one
// second to be answered, so that a dead SRV target is left soon.
func dnsStack(t *testing.T, dns string, trace func(Trace)) (*Stack, *recorder) {
	t.Helper()
	rec := newRecorder(t)
	st, err := New(Config{ListenIP: "127.0.0.1", UserAgent: "wpservice-test", OnEvent: rec.on, OnTrace: trace,
		Logger: slog.New(slog.DiscardHandler), DNSServer: dns, RegisterTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, rec
}

// TestParseNAPTR: the data of a NAPTR record read field by field; records we do not
// use (another service, a flag other than "s", a regular expression, a compressed
// replacement) are left out.
func TestParseNAPTR(t *testing.T) {
	record := func(flags, service, regexp string, replacement []byte) dnsmessage.UnknownResource {
		b := []byte{0, 10, 0, 20}
		for _, f := range []string{flags, service, regexp} {
			b = append(append(b, byte(len(f))), f...)
		}
		return dnsmessage.UnknownResource{Type: dnsmessage.Type(35), Data: append(b, replacement...)}
	}
	name := []byte("\x04_sip\x04_tcp\x07example\x04test\x00")
	tests := []struct {
		name string
		rr   dnsmessage.UnknownResource
		want naptr
		ok   bool
	}{
		{"SIP over TCP", record("S", "sip+d2t", "", name), naptr{10, 20, "TCP", "_sip._tcp.example.test."}, true},
		{"another service", record("s", "E2U+sip", "", name), naptr{}, false},
		{"a terminal flag", record("u", "SIP+D2U", "", name), naptr{}, false},
		{"a regular expression", record("s", "SIP+D2U", "!^.*$!sip:a@b!", []byte{0}), naptr{}, false},
		{"a compressed replacement", record("s", "SIP+D2U", "", []byte{0xc0, 0x0c}), naptr{}, false},
		{"cut short", dnsmessage.UnknownResource{Data: []byte{0, 10, 0, 20, 9, 's'}}, naptr{}, false},
	}
	for _, tt := range tests {
		if got, ok := parseNAPTR(tt.rr); got != tt.want || ok != tt.ok {
			t.Errorf("%s: %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestTrustedServerNameAskedOfTheConfiguredDNS: the name of the account's server,
// which the source filter trusts, is looked up where the routes are (sip.dnsServer),
// not through the system's resolver: a name only the split DNS knows is trusted,
// and no query leaves for the machine's own DNS.
func TestTrustedServerNameAskedOfTheConfiguredDNS(t *testing.T) {
	dns := testpeer.StartDnsmasq(t, testpeer.DnsmasqOptions{Probe: "trusted." + dnsDomain, Records: []string{
		"host-record=trusted." + dnsDomain + ",127.0.0.9",
	}})
	st, _ := dnsStack(t, dns.Addr, nil)
	if err := st.SetAccount(Account{Server: "trusted." + dnsDomain, Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for st.sources.addrOf("trusted."+dnsDomain) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the server's name was not resolved through the configured DNS server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := st.sources.addrOf("trusted." + dnsDomain).String(); got != "127.0.0.9" {
		t.Fatalf("trusted address %s, want dnsmasq's 127.0.0.9", got)
	}
}
