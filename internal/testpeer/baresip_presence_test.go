package testpeer

import (
	"slices"
	"testing"
)

// Baresip's two first PUBLISHes, both without an entity-tag, each answered: two
// documents, of which the first is stale; then a refresh of the second. A trace
// with a PUBLISH still unanswered is not settled.
func TestPublicationsInTheTrace(t *testing.T) {
	block := func(lines ...string) string {
		s := "\n#\nUDP 127.0.0.1:1 -> 127.0.0.1:2\n"
		for _, l := range lines {
			s += l + "\r\n"
		}
		return s
	}
	log := "baresip is ready." +
		block("PUBLISH sip:bob@127.0.0.1:5060 SIP/2.0", "CSeq: 10 PUBLISH", "Event: presence") +
		block("PUBLISH sip:bob@127.0.0.1:5060 SIP/2.0", "CSeq: 20 PUBLISH", "Event: presence") +
		block("SIP/2.0 200 OK", "CSeq: 10 PUBLISH", "SIP-ETag: a.1") +
		block("SIP/2.0 200 OK", "CSeq: 20 PUBLISH", "SIP-ETag: a.2") +
		block("PUBLISH sip:bob@127.0.0.1:5060 SIP/2.0", "CSeq: 30 PUBLISH", "SIP-If-Match: a.2")
	p := publications(log)
	if p.settled() {
		t.Error("settled with a PUBLISH unanswered")
	}
	p = publications(log + block("SIP/2.0 200 OK", "CSeq: 30 PUBLISH", "SIP-ETag: a.3"))
	if !p.settled() || p.uri != "sip:bob@127.0.0.1:5060" || !slices.Equal(p.stale(), []string{"a.1"}) {
		t.Errorf("publications %+v: settled %v, stale %v; want settled, a.1 stale", p, p.settled(), p.stale())
	}
	one := publications(block("PUBLISH sip:bob@127.0.0.1:5060 SIP/2.0", "CSeq: 10 PUBLISH") + block("SIP/2.0 200 OK", "CSeq: 10 PUBLISH", "SIP-ETag: a.1"))
	if !one.settled() || one.stale() != nil {
		t.Errorf("one publication: settled %v, stale %v", one.settled(), one.stale())
	}
}
