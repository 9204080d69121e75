package media

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/stun/v3"
)

// TestBindingRequestIsValidSTUN: the request the engine builds is what a STUN
// library reads as a Binding Request, with a correct FINGERPRINT and a fresh
// transaction ID each time.
func TestBindingRequestIsValidSTUN(t *testing.T) {
	req, id := newBindingRequest()
	m := &stun.Message{Raw: req}
	if err := m.Decode(); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if m.Type != stun.BindingRequest || m.TransactionID != id {
		t.Errorf("type %v id %x, want a Binding Request with id %x", m.Type, m.TransactionID, id)
	}
	if err := stun.Fingerprint.Check(m); err != nil {
		t.Errorf("fingerprint: %v", err)
	}
	if _, again := newBindingRequest(); again == id {
		t.Error("two requests share a transaction ID")
	}
}

// TestBindingAnswers: answers built by a STUN library are read as the server meant
// them; what is not the answer to our transaction is dropped.
func TestBindingAnswers(t *testing.T) {
	id := stun.NewTransactionID()
	build := func(setters ...stun.Setter) []byte {
		m, err := stun.Build(append([]stun.Setter{stun.NewTransactionIDSetter(id)}, setters...)...)
		if err != nil {
			t.Fatal(err)
		}
		return m.Raw
	}
	v6 := netip.MustParseAddrPort("[2001:db8::7]:4000")
	for _, tt := range []struct {
		name   string
		b      []byte
		ok     bool
		addr   netip.AddrPort
		errHas string
	}{
		{"IPv4 success", bindingSuccess(t, id, netip.MustParseAddrPort("203.0.113.9:5004")), true, netip.MustParseAddrPort("203.0.113.9:5004"), ""},
		{"IPv6 success", build(stun.BindingSuccess, &stun.XORMappedAddress{IP: v6.Addr().AsSlice(), Port: 4000}, stun.Fingerprint), true, v6, ""},
		{"other attributes first", build(stun.BindingSuccess, stun.NewSoftware("coturn"),
			&stun.MappedAddress{IP: []byte{192, 0, 2, 1}, Port: 1}, &stun.XORMappedAddress{IP: []byte{198, 51, 100, 2}, Port: 9}),
			true, netip.MustParseAddrPort("198.51.100.2:9"), ""},
		{"error answer", build(stun.NewType(stun.MethodBinding, stun.ClassErrorResponse), stun.CodeBadRequest), true, netip.AddrPort{}, "400 Bad Request"},
		{"success without an address", build(stun.BindingSuccess, stun.NewSoftware("x")), true, netip.AddrPort{}, "XOR-MAPPED-ADDRESS"},
		{"another transaction", bindingSuccess(t, stun.NewTransactionID(), netip.MustParseAddrPort("203.0.113.9:5004")), false, netip.AddrPort{}, ""},
		{"a request", build(stun.BindingRequest), false, netip.AddrPort{}, ""},
		{"another method", build(stun.NewType(stun.MethodAllocate, stun.ClassSuccessResponse)), false, netip.AddrPort{}, ""},
		{"RTP", rawPacket(t, testPT, 1, 0, 5, false, make([]byte, 160)), false, netip.AddrPort{}, ""},
		{"truncated", bindingSuccess(t, id, netip.MustParseAddrPort("203.0.113.9:5004"))[:30], false, netip.AddrPort{}, ""},
	} {
		addr, ok, err := bindingAnswer(tt.b, id)
		if ok != tt.ok || addr != tt.addr || (err == nil) != (tt.errHas == "") || (err != nil && !strings.Contains(err.Error(), tt.errHas)) {
			t.Errorf("%s: got %v, %v, %v; want %v, %v, error with %q", tt.name, addr, ok, err, tt.addr, tt.ok, tt.errHas)
		}
	}
}

// An attribute whose length runs past the message makes the datagram something to
// drop, not an answer.
func TestBindingAnswerWithAnOverrunningAttribute(t *testing.T) {
	id := stun.NewTransactionID()
	b := bindingSuccess(t, id, netip.MustParseAddrPort("203.0.113.9:5004"))
	b[stunHeaderSize+2] = 0xff // XOR-MAPPED-ADDRESS's length
	if addr, ok, err := bindingAnswer(b, id); ok || addr.IsValid() || err != nil {
		t.Errorf("got %v, %v, %v; want it dropped", addr, ok, err)
	}
}
