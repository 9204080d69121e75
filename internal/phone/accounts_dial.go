package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/account"
)

// dialAccount is the id of the account a call.dial names, checked: the default's
// for none. The plan keeps it so; the SIP port is told "" for the default.
func (p *Phone) dialAccount(id string) (string, error) {
	if id == "" || id == p.accID {
		return p.accID, nil
	}
	x := p.extra(id)
	if x == nil {
		return "", fmt.Errorf("%w: %q", ErrNoSuchAccount, id)
	}
	if !x.acc.Configured() {
		return "", fmt.Errorf("%w: account %s", ErrNoSuchAccount, id)
	}
	return id, nil
}

// targetFrom is the request URI of a call to to from the account with id.
func (p *Phone) targetFrom(id, to string) (string, error) {
	if from := p.stackID(id); from != "" {
		m, err := p.multiSIP()
		if err != nil {
			return "", err
		}
		return m.TargetFrom(from, to)
	}
	return p.cfg.SIP.Target(to)
}

// localIPFrom is the local address for a call to target from the account the SIP
// port names from ("" the default). It may wait on a name lookup: call it on a
// worker.
func (p *Phone) localIPFrom(from, target string) string {
	if from != "" {
		if m, ok := p.cfg.SIP.(AccountsSIP); ok {
			return m.LocalIPFrom(from, target)
		}
	}
	return p.cfg.SIP.LocalIP(target)
}

// dialFrom sends the INVITE of a call from the account with id.
func (p *Phone) dialFrom(id, target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error) {
	if from := p.stackID(id); from != "" {
		m, err := p.multiSIP()
		if err != nil {
			return nil, err
		}
		return m.DialFrom(from, target, offer, headers, reoffer)
	}
	return p.cfg.SIP.Dial(target, offer, headers, reoffer)
}

// accountByID is the account with id, the default for "" or an id no account has.
func (p *Phone) accountByID(id string) account.Account {
	if x := p.extra(id); x != nil {
		return x.acc
	}
	return p.acc
}

// incomingAccount is the account an incoming call is for.
func (p *Phone) incomingAccount(in Incoming) account.Account {
	return p.accountByID(p.accountID(in.Account))
}
