package phone

import (
	"context"
	"fmt"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
)

func (p *Phone) publicAccount() api.Account { return p.acc.Public() }

// setAccount merges a into the account, checks the result, hands it to SIP, stores it
// and (re-)registers when the account asks for registration. A change that cannot be
// stored is not made: what the engine acknowledges is what it finds at its next start.
func (p *Phone) setAccount(a *api.AccountArgs) (api.Account, error) {
	acc := p.acc.Merge(*a).Normalize()
	if err := acc.Validate(); err != nil {
		return api.Account{}, err
	}
	if err := p.cfg.SIP.SetAccount(acc); err != nil {
		return api.Account{}, &api.ArgError{Reason: err.Error()}
	}
	if p.cfg.Store != nil {
		if err := p.cfg.Store.SaveAccount(acc); err != nil {
			p.log.Warn("save account", "err", err)
			if err := p.cfg.SIP.SetAccount(p.acc); err != nil {
				p.log.Warn("restore the account in SIP", "err", err)
			}
			return api.Account{}, fmt.Errorf("%w: %w", ErrStorage, err)
		}
	}
	p.acc = acc
	p.bus.Emit(api.EvAccount, p.publicAccount())
	if acc.Register && acc.Configured() {
		if err := p.startRegister(); err != nil {
			return api.Account{}, err
		}
	}
	return p.publicAccount(), nil
}

func (p *Phone) register() (api.Empty, error) {
	if !p.acc.Configured() {
		return api.Empty{}, account.ErrNotConfigured
	}
	if err := p.startRegister(); err != nil {
		return api.Empty{}, err
	}
	return api.Empty{}, nil
}

// startRegister starts (or starts over) the registration. The address toward the
// server, which a network change is compared with (netchange.go), is looked up on
// a worker: it may take a name lookup.
func (p *Phone) startRegister() error {
	p.regGen++
	p.regIP = ""
	gen, server := p.regGen, p.serverURI()
	p.goWork(func(context.Context) {
		ip := p.cfg.SIP.LocalIP(server)
		p.post(func() {
			if p.regGen == gen {
				p.regIP = ip
			}
		})
	})
	return p.registerNow()
}

// registerFrom starts the registration over from ip, the address toward the server
// that a network change's lookup found.
func (p *Phone) registerFrom(ip string) error {
	p.regGen++
	p.regIP = ip
	return p.registerNow()
}

// registerNow has the stack start (or start over) the registration.
func (p *Phone) registerNow() error {
	if err := p.cfg.SIP.Register(); err != nil {
		p.log.Warn("register", "err", err)
		return fmt.Errorf("%w: register: %w", ErrSignalling, err)
	}
	return nil
}

func (p *Phone) unregister() (api.Empty, error) {
	if !p.acc.Configured() {
		return api.Empty{}, account.ErrNotConfigured
	}
	p.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := p.cfg.SIP.Unregister(ctx); err != nil {
			p.log.Warn("unregister", "err", err)
		}
	})
	return api.Empty{}, nil
}

// onRegState records and reports a registration change: the default account's, or
// another's (accounts.go). The event carries the account's id.
func (p *Phone) onRegState(st api.RegState) {
	if st.Account != "" && st.Account != p.accID {
		p.onExtraRegState(st)
		return
	}
	st.Account = ""
	if st == p.reg {
		return
	}
	p.reg = st
	p.bus.Emit(api.EvRegState, p.regState())
	p.syncSubscriptions()
}
