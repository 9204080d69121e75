package testpeer

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// withPresence adds the presence and contact modules to a baresip
// configuration and writes its contacts file: each URI of watch as a contact
// whose presence baresip subscribes to.
func withPresence(config, confDir string, watch []string) (string, error) {
	var b strings.Builder
	for i, uri := range watch {
		b.WriteString(`"watched` + string(rune('a'+i)) + `" <` + uri + ">;presence=p2p\n")
	}
	if err := os.WriteFile(filepath.Join(confDir, "contacts"), []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	// presence as an application module: loaded after the accounts, so that its
	// publisher finds the account it publishes for
	return config + "module\tcontact.so\nmodule_app\tpresence.so\n", nil
}

// SetPresence publishes baresip's own status: online or offline, once its
// PUBLISHes so far are answered (WaitPublished).
func (b *Baresip) SetPresence(t TB, online bool) {
	t.Helper()
	b.WaitPublished(t, 10*time.Second)
	if online {
		b.mustCommand(t, "presence_online", "")
	} else {
		b.mustCommand(t, "presence_offline", "")
	}
}

// WaitContactPresence waits until baresip's contact list shows uri with a
// presence status containing want ("online", "busy", "offline"), and fails the
// test with the list if it does not within timeout.
func (b *Baresip) WaitContactPresence(t TB, uri, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var list string
	for {
		list, _ = b.Command(t, "contacts", "")
		for _, line := range strings.Split(list, "\n") {
			if strings.Contains(line, uri) && strings.Contains(strings.ToLower(line), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip: contact %s not %q within %v; contacts:\n%s", uri, want, timeout, list)
		}
		time.Sleep(200 * time.Millisecond) // baresip pushes no event for a contact's presence
	}
}

// WaitPublished waits until every PUBLISH baresip has sent of its status is
// answered 2xx (its SIP trace shows them: baresip runs with -s when Presence is
// on), and fails the test if they are not within timeout. Baresip publishes
// twice as it starts (once its presence module is up, once registered), and
// when the second goes before the first is answered, without the entity-tag of
// that answer, kamailio keeps two documents, and a status change made later
// refreshes the second only: bob would stay online by the first until it expired.
// WaitPublished removes such a first document (a PUBLISH with its entity-tag and
// Expires 0) so that the status is the one baresip sets. And each answer gives
// the document a new entity-tag, which baresip's next PUBLISH must carry: a
// status changed before baresip has the answer is refused (412). SetPresence
// waits so.
func (b *Baresip) WaitPublished(t TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		pubs := publications(ansiEscape.ReplaceAllString(b.proc.log(), ""))
		if pubs.settled() {
			for _, etag := range pubs.stale() {
				if b.unpublished[etag] {
					continue
				}
				if err := unpublish(pubs.uri, etag); err != nil {
					t.Fatalf("baresip: remove its stale presence document %s: %v", etag, err)
				}
				if b.unpublished == nil {
					b.unpublished = map[string]bool{}
				}
				b.unpublished[etag] = true
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip: its PUBLISHes not all answered within %v (%+v); log:\n%s", timeout, pubs, b.proc.tail(40))
		}
		<-tick.C
	}
}

// published is what baresip's SIP trace says of its PUBLISHes: the request URI,
// the CSeqs of those sent without an entity-tag (each makes a new document), all
// CSeqs sent, and the entity-tags of the 2xx answers by CSeq, in their order.
type published struct {
	uri      string
	fresh    map[string]bool
	sent     int
	answered []struct{ cseq, etag string }
}

// publications reads the trace: blocks of one message each, after a "#" line.
func publications(log string) published {
	p := published{fresh: map[string]bool{}}
	for _, block := range strings.Split(strings.ReplaceAll(log, "\r\n", "\n"), "\n#\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 2 {
			continue
		}
		first, hdr := lines[1], func(name string) string {
			for _, l := range lines[2:] {
				if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
					return strings.TrimSpace(v)
				}
			}
			return ""
		}
		cseq, method, _ := strings.Cut(hdr("CSeq"), " ")
		if method != "PUBLISH" {
			continue
		}
		switch {
		case strings.HasPrefix(first, "PUBLISH "):
			p.uri = strings.Fields(first)[1]
			p.sent++
			if hdr("SIP-If-Match") == "" {
				p.fresh[cseq] = true
			}
		case strings.HasPrefix(first, "SIP/2.0 2"):
			p.answered = append(p.answered, struct{ cseq, etag string }{cseq, hdr("SIP-ETag")})
		}
	}
	return p
}

// settled reports whether every PUBLISH sent is answered 2xx.
func (p published) settled() bool { return p.sent > 0 && len(p.answered) >= p.sent }

// stale are the entity-tags of the documents baresip made and no longer
// refreshes: of its PUBLISHes without an entity-tag, all answers but the last,
// whose entity-tag it keeps.
func (p published) stale() []string {
	var fresh []string
	for _, a := range p.answered {
		if p.fresh[a.cseq] && a.etag != "" {
			fresh = append(fresh, a.etag)
		}
	}
	if len(fresh) < 2 {
		return nil
	}
	return fresh[:len(fresh)-1]
}

// unpublish removes the document etag of uri at its presence server (the host
// of uri): PUBLISH with SIP-If-Match and Expires 0 (RFC 3903 section 4.5).
func unpublish(uri, etag string) error {
	u := strings.TrimPrefix(uri, "sip:")
	_, host, _ := strings.Cut(u, "@")
	conn, err := net.Dial("udp", host)
	if err != nil {
		return err
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	req := "PUBLISH " + uri + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + id + ";rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <" + uri + ">;tag=" + id + "\r\n" +
		"To: <" + uri + ">\r\n" +
		"Call-ID: unpublish-" + id + "\r\n" +
		"CSeq: 1 PUBLISH\r\n" +
		"Event: presence\r\n" +
		"Expires: 0\r\n" +
		"SIP-If-Match: " + etag + "\r\n" +
		"Content-Length: 0\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if strings.HasPrefix(status, "SIP/2.0 1") {
			continue
		}
		if !strings.HasPrefix(status, "SIP/2.0 2") {
			return fmt.Errorf("answered %q", status)
		}
		return nil
	}
}
