package sipstack

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tortured is what the engine does with one torture message (docs/sip-conformance.md
// says why for each).
type tortured struct {
	file  string // under testdata/torture
	code  string // the final answer; "" when none is due (a response, a documented drop)
	rings bool   // an incoming call is announced
}

// overTCP are the messages that a stream, which frames them by their Content-Length
// (RFC 3261 section 18.3), reads otherwise than a datagram, and what they do there.
var overTCP = map[string]tortured{
	// The Content-Length of 0 ends the REGISTER; the INVITE after it is a request
	// of its own, and rings.
	"rfc4475/dblreq.dat": {code: "405", rings: true},
	// The Content-Length announces more than comes: the rest of the body is awaited
	// until the connection's deadline.
	"rfc4475/clerr.dat": {},
	// The message ends without the blank line: its headers never end.
	"rfc4475/baddn.dat": {},
	// No Content-Length, which a stream's message must carry (section 20.14).
	"rfc4475/inv2543.dat": {code: "400"},
}

var tortureCases = []tortured{
	// RFC 4475 section 3.1.1: valid messages, served.
	{"rfc4475/wsinv.dat", "481", false}, // its To has a tag: a dialog we do not know
	{"rfc4475/intmeth.dat", "405", false},
	{"rfc4475/esc01.dat", "", true},
	{"rfc4475/escnull.dat", "405", false},
	{"rfc4475/esc02.dat", "405", false},
	{"rfc4475/lwsdisp.dat", "200", false},
	{"rfc4475/longreq.dat", "", true},
	{"rfc4475/dblreq.dat", "405", false},
	{"rfc4475/semiuri.dat", "200", false},
	{"rfc4475/transports.dat", "200", false},
	{"rfc4475/mpart01.dat", "415", false}, // a MESSAGE whose body is not plain text
	{"rfc4475/unreason.dat", "", false},   // responses to no request of ours
	{"rfc4475/noreason.dat", "", false},
	// Section 3.1.2: invalid messages, refused with the reason, or dropped.
	{"rfc4475/badinv01.dat", "400", false},
	{"rfc4475/clerr.dat", "400", false},
	{"rfc4475/scalar02.dat", "400", false},
	{"rfc4475/scalarlg.dat", "", false},
	{"rfc4475/quotbal.dat", "400", false},
	{"rfc4475/ltgtruri.dat", "400", false},
	{"rfc4475/lwsruri.dat", "400", false},
	{"rfc4475/lwsstart.dat", "400", false},
	{"rfc4475/trws.dat", "400", false},
	{"rfc4475/escruri.dat", "400", false},
	{"rfc4475/baddate.dat", "", true},
	{"rfc4475/regbadct.dat", "405", false},
	{"rfc4475/badaspec.dat", "400", false},
	{"rfc4475/baddn.dat", "400", false},
	{"rfc4475/badvers.dat", "505", false},
	{"rfc4475/mismatch01.dat", "400", false},
	{"rfc4475/mismatch02.dat", "400", false},
	{"rfc4475/bigcode.dat", "", false},
	{"rfc4475/badbranch.dat", "200", false},
	// Section 3.2: transaction layer semantics.
	{"rfc4475/zeromf.dat", "200", false},
	{"rfc4475/cparam01.dat", "405", false},
	{"rfc4475/cparam02.dat", "405", false},
	{"rfc4475/regescrt.dat", "405", false},
	// Section 3.3: application layer semantics.
	{"rfc4475/sdp01.dat", "406", false},
	{"rfc4475/inv2543.dat", "", true},
	{"rfc4475/unkscm.dat", "416", false},
	{"rfc4475/novelsc.dat", "416", false},
	{"rfc4475/unksm2.dat", "405", false},
	{"rfc4475/bext01.dat", "420", false},
	{"rfc4475/invut.dat", "415", false},
	{"rfc4475/regaut01.dat", "405", false},
	{"rfc4475/multi01.dat", "400", false},
	{"rfc4475/mcl01.dat", "400", false},
	{"rfc4475/bcast.dat", "", false},
	{"rfc4475/ncl.dat", "400", false},
	{"rfc4475/insuf.dat", "400", false},
	// RFC 5118 section 4: IPv6.
	{"rfc5118/ipv6-good.dat", "405", false},
	{"rfc5118/ipv6-bad.dat", "400", false},
	{"rfc5118/port-ambiguous.dat", "405", false},
	{"rfc5118/port-unambiguous.dat", "405", false},
	{"rfc5118/via-received-param-with-delim.dat", "481", false},
	{"rfc5118/via-received-param-no-delim.dat", "200", false},
	{"rfc5118/ipv6-in-sdp.dat", "", true},
	{"rfc5118/mult-ip-in-header.dat", "481", false},
	{"rfc5118/mult-ip-in-sdp.dat", "", true},
	{"rfc5118/ipv4-mapped-ipv6.dat", "", true},
	{"rfc5118/ipv6-bug-abnf-3-colons.dat", "200", false},
	{"rfc5118/ipv6-correct-abnf-2-colons.dat", "200", false},
}

// TestTortureMessages sends every RFC 4475 and RFC 5118 message to a stack, over
// UDP and over TCP, and checks the answer (or that none
// came), the incoming call announced or not, and the stack alive after it.
func TestTortureMessages(t *testing.T) {
	files, _ := filepath.Glob("testdata/torture/*/*.dat")
	if len(files) != len(tortureCases) {
		t.Fatalf("%d torture files, %d cases", len(files), len(tortureCases))
	}
	for _, tc := range tortureCases {
		t.Run(tc.file+"/udp", func(t *testing.T) { checkTortured(t, tc, "udp") })
		tcp := tc
		if o, ok := overTCP[tc.file]; ok {
			tcp.code, tcp.rings = o.code, o.rings
		}
		t.Run(tc.file+"/tcp", func(t *testing.T) { checkTortured(t, tcp, "tcp") })
	}
}

func checkTortured(t *testing.T, tc tortured, proto string) {
	data, err := os.ReadFile(filepath.Join("testdata/torture", tc.file))
	if err != nil {
		t.Fatal(err)
	}
	st, rec := newTestStack(t, nil, nil)
	far := newFarEnd(t)
	far.send(t, st, proto, data)

	var got []string
	if tc.rings {
		if in := rec.incoming(); in.Call == nil {
			t.Fatal("incoming call without a call")
		}
	}
	if tc.code != "" {
		for !slices.Contains(got, tc.code) {
			if !far.wait(waitFor) {
				t.Fatalf("answers %v, want %s", got, tc.code)
			}
			got = append(got, far.take()...)
		}
	}
	// The probe is read after the message: its answer proves the stack alive and,
	// for a message due no answer, that none came before it.
	far.send(t, st, "udp", far.probe(1))
	for !slices.Contains(got, "200") || tc.code == "200" && count(got, "200") < 2 {
		if !far.wait(waitFor) {
			t.Fatalf("the stack did not answer the probe after the message (answers %v)", got)
		}
		got = append(got, far.take()...)
	}
	if tc.code == "" && !tc.rings && len(got) != 1 {
		t.Fatalf("answers %v, want none but the probe's", got)
	}
	if !tc.rings {
		select {
		case ev := <-rec.ch:
			if in, ok := ev.(Incoming); ok {
				t.Fatalf("the message rang: %+v", in)
			}
		default:
		}
	}
	for _, code := range got {
		if code >= "400" && code != tc.code {
			t.Fatalf("answers %v, want %s", got, tc.code)
		}
	}
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
