package sipstack

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// maxRedirects is how many 3xx answers one outgoing call follows.
const maxRedirects = 5

// Reasons of a call that ends on a 3xx it does not follow.
const (
	reasonRedirectLoop     = "redirect loop"
	reasonTooManyRedirects = "too many redirects"
)

// redirects follows the 3xx answers to one outgoing INVITE (RFC 3261 section
// 8.1.3.4): each one's Contacts are tried by q-value, and a target already tried, or
// a chain longer than maxRedirects, ends the call instead of looping.
type redirects struct {
	tried map[string]bool // the targets an INVITE went to, by targetKey
	count int             // the 3xx answers followed
}

// newRedirects starts with the call's first target.
func newRedirects(first sip.Uri) *redirects {
	return &redirects{tried: map[string]bool{targetKey(first): true}}
}

// isRedirect reports whether res is a 3xx the call follows: 300 Multiple Choices,
// 301 Moved Permanently or 302 Moved Temporarily. 305 Use Proxy and 380
// Alternative Service end the call as a rejection.
func isRedirect(res *sip.Response) bool {
	return res != nil && res.StatusCode >= 300 && res.StatusCode <= 302
}

// next is where the INVITE goes after the 3xx res: the Contact with the highest
// q-value not tried yet. ok false with a reason ends the call: every Contact was
// tried (a loop) or the chain is too long; ok false and no reason means res names no
// SIP Contact, which ends the call as the rejection it is.
func (r *redirects) next(res *sip.Response) (target sip.Uri, reason string, ok bool) {
	targets := contactTargets(res)
	if len(targets) == 0 {
		return sip.Uri{}, "", false
	}
	if r.count >= maxRedirects {
		return sip.Uri{}, reasonTooManyRedirects, false
	}
	for _, t := range targets {
		if k := targetKey(t); !r.tried[k] {
			r.tried[k] = true
			r.count++
			return t, "", true
		}
	}
	return sip.Uri{}, reasonRedirectLoop, false
}

// contactTargets are the sip: and sips: Contacts of res, by q-value (1.0 when
// absent), highest first, in their order where equal.
func contactTargets(res *sip.Response) []sip.Uri {
	type choice struct {
		uri sip.Uri
		q   float64
	}
	var choices []choice
	for _, h := range res.GetHeaders("Contact") {
		ct, ok := h.(*sip.ContactHeader)
		if !ok || (ct.Address.Scheme != "sip" && ct.Address.Scheme != "sips") || ct.Address.Host == "" {
			continue
		}
		q := 1.0
		if v, ok := ct.Params.Get("q"); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		u := *ct.Address.Clone()
		u.Headers = nil // RFC 3261 section 19.1.5 headers are not taken over
		choices = append(choices, choice{u, q})
	}
	slices.SortStableFunc(choices, func(a, b choice) int { return cmp.Compare(b.q, a.q) })
	uris := make([]sip.Uri, len(choices))
	for i, c := range choices {
		uris[i] = c.uri
	}
	return uris
}

// targetKey names a target for loop detection: scheme, user, host, port (the
// default one when absent) and transport, case-insensitively.
func targetKey(u sip.Uri) string {
	tp, _ := u.UriParams.Get("transport")
	tp = strings.ToLower(tp)
	port := u.Port
	if port == 0 {
		port = 5060
		if u.Scheme == "sips" || tp == "tls" {
			port = 5061
		}
	}
	return fmt.Sprintf("%s:%s@%s:%d;%s", u.Scheme, u.User, strings.ToLower(u.Host), port, tp)
}

// redirectedInvite is the INVITE that follows a 3xx (or a 422) to prev: the same
// Call-ID, From, To, Contact, body and other headers, to target, with the next CSeq
// number, and without prev's Via and credentials (a new transaction, perhaps to
// another realm). It leaves on prev's transport and local address.
func (s *Stack) redirectedInvite(prev *sip.Request, target sip.Uri) *sip.Request {
	req := sip.NewRequest(sip.INVITE, target)
	for _, h := range prev.CloneHeaders() {
		switch strings.ToLower(h.Name()) {
		case "via", "authorization", "proxy-authorization", "cseq", "content-length":
			continue
		}
		req.AppendHeader(h)
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: prev.CSeq().SeqNo + 1, MethodName: sip.INVITE})
	req.SetBody(prev.Body())
	req.SetTransport(prev.Transport())
	s.pinLocal(req)
	return req
}

// redirected is the INVITE that follows a 3xx to prev toward target, and the UA
// that sends it: the INVITE goes as Dial would send one to target, on the
// transport target names (else the account's) and from the local address that
// routes to its first hop (localaddr.go), whatever prev's were; its Contact and
// Via name that transport and address. The UA reports to the call's tap, which
// keeps the INVITE's transaction for CANCEL and forks. ip is that local address.
func (c *Call) redirected(prev *sip.Request, target sip.Uri) (*sipgo.DialogUA, *sip.Request, string) {
	s := c.st
	acc, hasAcc := s.accountByID(c.account)
	tp := dialTransport(acc, hasAcc, target)
	ip := s.localIP(firstHop(acc, hasAcc, target))
	req := s.redirectedInvite(prev, target)
	req.RemoveHeader("Contact") // the UA's, for tp and ip
	req.SetTransport(tp)
	req.Laddr = sip.Addr{}
	s.pinLocal(req)
	user := ""
	if ct := prev.Contact(); ct != nil {
		user = ct.Address.User
	}
	return c.tap.wrap(s.dialogUA(c.account, tp, user, ip)), req, ip
}

// reoffer gives req, the INVITE that follows a 3xx from the local address ip, an
// offer of media on ip when the INVITE before it left from another address (prev):
// the caller's media, opened where the last route led, would not be reachable
// from the new target's network. reoffer (DialOptions.Reoffer) makes that offer;
// without it, or when it gives none, req keeps its body.
func (c *Call) reoffer(req *sip.Request, prev, ip string, reoffer func(string) []byte) {
	if reoffer == nil || ip == prev {
		return
	}
	body := reoffer(ip)
	if body == nil {
		return
	}
	req.SetBody(body)
	c.mu.Lock()
	c.sdp.setLocal(body)
	c.mu.Unlock()
	c.log.Info("redirected INVITE offers media on its local address", "ip", ip)
}
