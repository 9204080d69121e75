package sipstack

import (
	"context"
	"errors"
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
}

// regLoop is a running registration goroutine.
type regLoop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Register starts (or restarts) the registration loop in the background.
// Progress is reported with RegEvent.
func (s *Stack) Register() error {
	acc, ok := s.account()
	if !ok {
		return ErrNoAccount
	}
	s.stopRegLoop()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.regSess == nil {
		s.regSess = &regSession{callID: newCallID(), fromTag: newTag()}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &regLoop{cancel: cancel, done: make(chan struct{})}
	s.reg = l
	go s.runRegister(ctx, l, acc, s.regSess)
	return nil
}

// Unregister stops the loop, sends REGISTER with Expires: 0 and waits for
// the answer or ctx. It always reports RegUnregistered, with the status.
func (s *Stack) Unregister(ctx context.Context) error {
	acc, ok := s.account()
	if !ok {
		return ErrNoAccount
	}
	s.stopRegLoop()
	s.mu.Lock()
	sess := s.regSess
	if sess == nil {
		sess = &regSession{callID: newCallID(), fromTag: newTag()}
		s.regSess = sess
	}
	s.mu.Unlock()
	out, err := s.registerOnce(ctx, acc, sess, 0)
	s.emit(RegEvent{State: RegUnregistered, Code: out.Code, Reason: out.Reason})
	if err != nil {
		return err
	}
	if out.Code < 200 || out.Code >= 300 {
		return &StatusError{Code: out.Code, Reason: out.Reason}
	}
	return nil
}

func (s *Stack) stopRegLoop() {
	s.mu.Lock()
	l := s.reg
	s.reg = nil
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
	requested, failures, registered, quiet := acc.interval(), 0, false, false
	for {
		if !registered && !quiet {
			s.emit(RegEvent{State: RegRegistering})
		}
		out, err := s.registerOnce(ctx, acc, sess, requested)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("register failed", "error", err)
		}
		step := nextRegStep(out, requested, failures)
		requested, failures = step.Requested, step.Failures
		registered = step.Event.State == RegRegistered
		quiet = !step.Emit
		if step.Emit {
			s.emit(step.Event)
		}
		if step.Wait == 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(step.Wait):
		}
	}
}

// registerOnce sends one REGISTER, answering a 401/407 challenge once.
// A transport failure is returned as err and described in the outcome.
func (s *Stack) registerOnce(ctx context.Context, acc Account, sess *regSession, expires int) (regOutcome, error) {
	ctx, cancel := context.WithTimeout(ctx, registerAttemptTimeout)
	defer cancel()
	ip := s.localIP(serverHop(acc))
	contact := s.contact(acc.transport(), acc.Username, ip)
	req := s.newRegister(acc, sess, &contact, expires)
	cl := s.client(acc.transport(), ip)
	res, err := cl.Do(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) && acc.Password != "" {
		res, err = cl.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: acc.authUser(), Password: acc.Password})
		sess.cseq = req.CSeq().SeqNo
	}
	if err != nil {
		return errorOutcome(err), err
	}
	s.sources.learn(acc, res.Source())
	out := regOutcome{Code: res.StatusCode, Reason: res.Reason}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		out.Granted = grantedExpires(res, contact.Address)
	}
	if h := res.GetHeader("Min-Expires"); h != nil {
		out.MinExpires, _ = strconv.Atoi(strings.TrimSpace(h.Value()))
	}
	return out, nil
}

func errorOutcome(err error) regOutcome {
	if errors.Is(err, sip.ErrTransactionTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return regOutcome{Code: 408, Reason: "Request Timeout"}
	}
	return regOutcome{Reason: err.Error()}
}

func (s *Stack) newRegister(acc Account, sess *regSession, contact *sip.ContactHeader, expires int) *sip.Request {
	host, port, _ := splitHostPort(acc.Server)
	recipient := sip.Uri{Scheme: "sip", Host: host, Port: port}
	tp := acc.transport()
	if tp != "UDP" {
		recipient.UriParams = sip.HeaderParams{{K: "transport", V: strings.ToLower(tp)}}
	}
	req := sip.NewRequest(sip.REGISTER, recipient)
	req.SetTransport(tp)
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
	req.AppendHeader(contact)
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
