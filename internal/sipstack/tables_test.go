package sipstack

import "testing"

// The stack's small tables are switches and arrays, which cost nothing at start-up;
// these are their entries, each looked up, and names outside them refused.

func TestHeaderTables(t *testing.T) {
	reserved := []string{"via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m",
		"route", "record-route", "max-forwards", "content-length", "l", "content-type", "c",
		"content-encoding", "e", "authorization", "proxy-authorization", "www-authenticate",
		"proxy-authenticate", "expires", "allow", "user-agent", "supported", "k", "require",
		"proxy-require", "unsupported", "rseq", "rack"}
	for _, h := range reserved {
		if !isReserved(h) {
			t.Errorf("%s is not reserved", h)
		}
	}
	single := map[string]string{"from": "From", "f": "From", "to": "To", "t": "To", "call-id": "Call-ID",
		"i": "Call-ID", "cseq": "CSeq", "max-forwards": "Max-Forwards", "content-length": "Content-Length",
		"l": "Content-Length", "content-type": "Content-Type", "c": "Content-Type"}
	for h, want := range single {
		if got, ok := singleHeader(h); !ok || got != want {
			t.Errorf("singleHeader(%q) = %q, %v; want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"} {
		if !kept(h) {
			t.Errorf("a trimmed request drops %s", h)
		}
	}
	for _, h := range []string{"subject", "x-via", "", "From", "s"} {
		_, one := singleHeader(h)
		if isReserved(h) || one || kept(h) {
			t.Errorf("%q: reserved %v, single %v, kept %v", h, isReserved(h), one, kept(h))
		}
	}
	for s, want := range map[string]bool{"sip": true, "sips": true, "tel": true, "http": false, "": false} {
		if servedScheme(s) != want {
			t.Errorf("servedScheme(%q) = %v", s, !want)
		}
	}
}

func TestSDPTables(t *testing.T) {
	static := map[uint8]string{0: "PCMU", 3: "GSM", 4: "G723", 8: "PCMA", 9: "G722", 18: "G729"}
	for pt := range 256 {
		c, ok := staticCodec(uint8(pt))
		if name, want := static[uint8(pt)]; ok != want || c.Name != name || ok && (c.PT != uint8(pt) || c.Rate != 8000) {
			t.Errorf("staticCodec(%d) = %+v, %v", pt, c, ok)
		}
	}
	for _, d := range []string{DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive} {
		if got := dirName(dirBits(d)); got != d {
			t.Errorf("dirName(dirBits(%q)) = %q", d, got)
		}
	}
	if dirBits("sideways") != 0 || dirBits(DirSendRecv) != dirSend|dirRecv {
		t.Error("direction bits")
	}
}

func TestResolveTables(t *testing.T) {
	for service, want := range map[string]string{"SIP+D2U": "UDP", "SIP+D2T": "TCP", "SIPS+D2T": "TLS", "SIP+D2S": ""} {
		if got, ok := naptrService(service); got != want || ok != (want != "") {
			t.Errorf("naptrService(%q) = %q, %v", service, got, ok)
		}
	}
	for tp, want := range map[string]string{"UDP": "_sip._udp.", "TCP": "_sip._tcp.", "TLS": "_sips._tcp.", "WS": ""} {
		if got := srvPrefix(tp); got != want {
			t.Errorf("srvPrefix(%q) = %q", tp, got)
		}
	}
}

func TestCallEventKindNames(t *testing.T) {
	for k, want := range map[CallEventKind]string{Provisional: "provisional", Referred: "referred",
		SessionExpired: "session-expired", -1: "unknown", Referred + 1: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", int(k), got, want)
		}
	}
	for k := Provisional; k <= Referred; k++ {
		if k.String() == "unknown" {
			t.Errorf("kind %d has no name", int(k))
		}
	}
}
