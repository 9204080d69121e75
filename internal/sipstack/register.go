package sipstack

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// registerAttemptTimeout bounds one REGISTER exchange, retries included.
const registerAttemptTimeout = 40 * time.Second

// regSession is the Call-ID, From tag and CSeq shared by the REGISTERs of
// one binding, so refreshes and the final Expires: 0 update the same one.
type regSession struct {
	callID  string
	fromTag string
	cseq    uint32
	bound   *sip.ContactHeader // the Contact the registrar last accepted; nil before
	boundAt string             // the registrar and AOR it was accepted for (bindingKey)
}

// bindingKey names the registrar and address of record of acc: a binding made for
// one account is not the business of another's registrar.
func bindingKey(acc Account) string { return acc.Server + " " + acc.Username }

// boundFor is the Contact the registrar of acc last accepted, if any.
func (sess *regSession) boundFor(acc Account) *sip.ContactHeader {
	if sess.boundAt != bindingKey(acc) {
		return nil
	}
	return sess.bound
}

// regLoop is a running registration goroutine.
type regLoop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Register starts (or restarts) the registration loop of the default account in
// the background. Progress is reported with RegEvent.
func (s *Stack) Register() error { return s.RegisterAccount("") }

// RegisterAccount starts (or restarts) the registration loop of the account with id
// ("" the default) in the background. Progress is reported with RegEvent.
func (s *Stack) RegisterAccount(id string) error {
	acc, ok := s.accountByID(id)
	if !ok {
		return ErrNoAccount
	}
	s.stopRegLoopOf(id)
	if acc.transport() == "TLS" {
		// Before Register returns, so that a call moved after a network change
		// does not take the stranded connection either.
		s.dropStrandedFlow(acc, s.localIP(serverHop(acc)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	loop, sess, ok := s.regState(id)
	if !ok {
		return ErrNoAccount // removed meanwhile
	}
	if *sess == nil {
		*sess = &regSession{callID: newCallID(), fromTag: newTag()}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &regLoop{cancel: cancel, done: make(chan struct{})}
	*loop = l
	go s.runRegister(ctx, l, acc, *sess)
	return nil
}

// Unregister stops the default account's loop, sends REGISTER with Expires: 0 and
// waits for the answer or ctx. It always reports RegUnregistered, with the status.
func (s *Stack) Unregister(ctx context.Context) error { return s.UnregisterAccount(ctx, "") }

// UnregisterAccount is Unregister for the account with id ("" the default).
func (s *Stack) UnregisterAccount(ctx context.Context, id string) error {
	acc, ok := s.accountByID(id)
	if !ok {
		return ErrNoAccount
	}
	s.stopRegLoopOf(id)
	s.mu.Lock()
	sess := &regSession{callID: newCallID(), fromTag: newTag()}
	if _, kept, ok := s.regState(id); ok {
		if *kept == nil {
			*kept = sess
		}
		sess = *kept
	}
	s.mu.Unlock()
	out, _, err := s.registerOnce(ctx, acc, sess, 0)
	s.emit(RegEvent{Account: id, State: RegUnregistered, Code: out.Code, Reason: out.Reason})
	if err != nil {
		return err
	}
	if out.Code < 200 || out.Code >= 300 {
		return &StatusError{Code: out.Code, Reason: out.Reason}
	}
	return nil
}

// stopRegLoopOf stops the registration loop of the account with id ("" the
// default), if one runs, and waits for it.
func (s *Stack) stopRegLoopOf(id string) {
	s.mu.Lock()
	var l *regLoop
	if loop, _, ok := s.regState(id); ok {
		l, *loop = *loop, nil
	}
	s.mu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

func (s *Stack) runRegister(ctx context.Context, l *regLoop, acc Account, sess *regSession) {
	defer close(l.done)
	u := aor(acc)
	log := s.log.With("aor", u.String())
	requested, failures, registered, quiet, rebound := acc.interval(), 0, false, false, false
	lost := false // a keep-alive found the flow dead; the next REGISTER opens a new one
	for {
		if !registered && !quiet {
			s.emit(RegEvent{Account: acc.ID, State: RegRegistering})
		}
		out, f, err := s.registerOnce(ctx, acc, sess, requested)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("register failed", "error", err)
		}
		if out.Rebind && rebound {
			out.Rebind = false // once in a row: a registrar whose view keeps changing is not followed in a loop
		}
		rebound = out.Rebind
		if rebound {
			now := s.regContact(acc, f.transport, f.localIP)
			log.Info("contact rewritten to the address the registrar sees", "contact", now.Address.String())
		}
		step := jitter(nextRegStep(out, requested, failures), out, rand.Float64())
		requested, failures = step.Requested, step.Failures
		registered = step.Event.State == RegRegistered
		quiet = !step.Emit
		if step.Emit {
			step.Event.Account = acc.ID
			s.emit(step.Event)
		}
		if lost && registered {
			lost = false
			log.Info("registered again on a new flow", "transport", f.transport, "registrar", f.raddr)
		}
		if step.Wait == 0 {
			continue
		}
		if !registered {
			f = flow{} // nothing to keep alive
		}
		if err := s.waitRefresh(ctx, step.Wait, f); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("keep-alive failed, registering again", "error", err)
			lost = true
		}
	}
}

// waitRefresh waits d before the next REGISTER, sending keep-alives on f meanwhile
// (none when f is zero or keep-alives are off). It returns early with the error of a
// keep-alive that found the flow dead, so the loop re-registers at once, or with
// ctx's error.
func (s *Stack) waitRefresh(ctx context.Context, d time.Duration, f flow) error {
	refresh := s.clock.After(d)
	for {
		var tick <-chan time.Time
		if f.raddr != "" && s.cfg.KeepAlive > 0 {
			tick = s.clock.After(s.cfg.KeepAlive)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-refresh:
			return nil
		case <-tick:
			if err := s.keepAlive(ctx, f); err != nil {
				return err
			}
		}
	}
}

// registerOnce sends one REGISTER, answering a 401/407 challenge once. It returns
// the flow the answer came on, to keep alive. A transport failure is returned as err
// and described in the outcome. For an account found through DNS (routes.go) the
// REGISTER goes to each hop in turn until one answers.
func (s *Stack) registerOnce(ctx context.Context, acc Account, sess *regSession, expires int) (regOutcome, flow, error) {
	for {
		h, byDNS := s.resolveServer(ctx, acc)
		out, f, err := s.registerVia(ctx, acc, sess, expires, h)
		if err == nil || !byDNS || ctx.Err() != nil {
			return out, f, err
		}
		s.log.Info("the account's server did not answer at this address", "server", acc.Server, "hop", h.addr, "error", err)
		if !s.failover(acc, h) {
			return out, f, err
		}
	}
}

// registerVia is registerOnce through h, when the account's server was found
// through DNS (a zero h otherwise).
func (s *Stack) registerVia(ctx context.Context, acc Account, sess *regSession, expires int, h hop) (regOutcome, flow, error) {
	ctx, cancel := context.WithTimeout(ctx, s.attemptTimeout())
	defer cancel()
	if h.addr != "" {
		acc.Transport = strings.ToLower(h.transport)
	}
	tp := acc.transport()
	ip := s.localIP(serverHop(acc))
	f := flow{transport: tp, localIP: ip}
	if tp == "TLS" {
		if err := s.openFlow(ctx, acc, ip); err != nil {
			return errorOutcome(err), f, err
		}
	}
	contact := s.regContact(acc, tp, ip)
	req := s.newRegister(acc, sess, &contact, expires)
	if h.addr != "" {
		req.SetDestination(h.addr)
	}
	cl := s.client(tp, ip)
	res, err := answered(cl.Do(ctx, req))
	for tries := 0; err == nil && acc.Password != "" && challenged(res) && (tries == 0 || staleNonce(res)); tries++ {
		if tries == maxChallenges {
			break
		}
		res, err = answered(cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: acc.authUser(), Password: acc.Password}))
		sess.cseq = req.CSeq().SeqNo
	}
	if err != nil {
		return errorOutcome(err), f, err
	}
	s.sourcesOf(acc).learn(acc, res.Source())
	f.raddr = res.Source()
	out := regOutcome{Code: res.StatusCode, Reason: res.Reason}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		out.Granted = grantedExpires(res, contact.Address)
		if expires == 0 {
			sess.bound = nil
		} else {
			sess.bound, sess.boundAt = &contact, bindingKey(acc)
			s.public.learn(tp, ip, res)
			now := s.regContact(acc, tp, ip)
			out.Rebind = !sameContact(&now, &contact)
		}
	}
	if h := res.GetHeader("Min-Expires"); h != nil {
		out.MinExpires, _ = strconv.Atoi(strings.TrimSpace(h.Value()))
	}
	if res.StatusCode == 500 || res.StatusCode == 503 {
		out.RetryAfter = retryAfter(res)
	}
	return out, f, nil
}

// challenged reports a 401 or 407 answer.
func challenged(res *sip.Response) bool { return res.StatusCode == 401 || res.StatusCode == 407 }

// staleNonce reports a challenge that refused only our nonce, which had expired
// (stale=true, RFC 7616 section 3.3): credentials with the fresh nonce go at once,
// and the registration has not failed.
func staleNonce(res *sip.Response) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		for _, h := range res.GetHeaders(name) {
			for _, param := range strings.Split(h.Value(), ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(k, "stale") && strings.EqualFold(strings.Trim(v, `"`), "true") {
					return true
				}
			}
		}
	}
	return false
}

// errNoResponse is a transaction that ended with neither a response nor an error,
// which sipgo reports when it is terminated under its reader.
var errNoResponse = errors.New("sipstack: transaction ended without a response")

// answered turns sipgo's nil response without an error into errNoResponse.
func answered(res *sip.Response, err error) (*sip.Response, error) {
	if res == nil && err == nil {
		return nil, errNoResponse
	}
	return res, err
}

func errorOutcome(err error) regOutcome {
	if errors.Is(err, sip.ErrTransactionTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return regOutcome{Code: 408, Reason: "Request Timeout"}
	}
	return regOutcome{Reason: err.Error()}
}

// registrarURI is the Request-URI of our REGISTERs.
func registrarURI(acc Account) sip.Uri {
	host, port, _ := splitHostPort(acc.Server)
	recipient := sip.Uri{Scheme: "sip", Host: host, Port: port}
	if tp := acc.transport(); tp != "UDP" {
		recipient.UriParams = sip.HeaderParams{{K: "transport", V: strings.ToLower(tp)}}
	}
	return recipient
}

func (s *Stack) newRegister(acc Account, sess *regSession, contact *sip.ContactHeader, expires int) *sip.Request {
	req := sip.NewRequest(sip.REGISTER, registrarURI(acc))
	req.SetTransport(acc.transport())
	from := &sip.FromHeader{DisplayName: escapeDisplayName(acc.DisplayName), Address: aor(acc), Params: sip.NewParams()}
	from.Params.Add("tag", sess.fromTag)
	to := &sip.ToHeader{DisplayName: from.DisplayName, Address: aor(acc), Params: sip.NewParams()}
	callID := sip.CallIDHeader(sess.callID)
	sess.cseq++
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: sess.cseq, MethodName: sip.REGISTER})
	req.AppendHeader(&maxFwd)
	// A Contact unlike the one the registrar has (our address moved, or the registrar
	// showed us our public one) replaces it: the old binding goes as the new one comes
	// (publicaddr.go); with Expires: 0 both go.
	switch old := sess.boundFor(acc); {
	case old != nil && !sameContact(old, contact):
		gone := old.Clone()
		gone.Params = sip.NewParams()
		gone.Params.Add("expires", "0")
		req.AppendHeader(gone)
		req.AppendHeader(contact) // last: sipgo's req.Contact() is the last appended
	default:
		req.AppendHeader(contact)
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.AppendHeader(sip.NewHeader("User-Agent", s.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	routeTo(req, acc)
	s.pinLocal(req)
	return req
}

// grantedExpires reads the expiry of our binding from a 2xx: the expires
// parameter of the Contact matching ours, else the Expires header.
func grantedExpires(res *sip.Response, ours sip.Uri) int {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.User != ours.User || c.Address.Host != ours.Host ||
			(ours.Port != 0 && c.Address.Port != ours.Port) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			return n
		}
	}
	return 0
}

// sameContact reports whether two Contacts name the same address.
func sameContact(a, b *sip.ContactHeader) bool { return a.Address.String() == b.Address.String() }

// retryAfter reads the delay of a Retry-After header ("120", "120;duration=60" or
// "120 (comment)"), 0 when there is none or it is not a number of seconds.
func retryAfter(res *sip.Response) time.Duration {
	h := res.GetHeader("Retry-After")
	if h == nil {
		return 0
	}
	v := strings.TrimSpace(h.Value())
	if i := strings.IndexAny(v, " ;("); i >= 0 {
		v = v[:i]
	}
	secs, err := strconv.Atoi(v)
	if err != nil || secs <= 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}

// attemptTimeout bounds one REGISTER exchange: registerAttemptTimeout, or the
// configured one.
func (s *Stack) attemptTimeout() time.Duration {
	if s.cfg.RegisterTimeout > 0 {
		return s.cfg.RegisterTimeout
	}
	return registerAttemptTimeout
}
