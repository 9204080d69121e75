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
// and (re-)registers when the account asks for registration.
func (p *Phone) setAccount(a *api.AccountArgs) (any, error) {
	acc := p.acc.Merge(*a).Normalize()
	if err := acc.Validate(); err != nil {
		return nil, err
	}
	if err := p.cfg.SIP.SetAccount(acc); err != nil {
		return nil, &api.ArgError{Reason: err.Error()}
	}
	p.acc = acc
	p.bus.Emit(api.EvAccount, p.publicAccount())
	if p.cfg.Store != nil {
		if err := p.cfg.Store.SaveAccount(acc); err != nil {
			p.log.Warn("save account", "err", err)
		}
	}
	if acc.Register && acc.Configured() {
		if err := p.startRegister(); err != nil {
			return nil, err
		}
	}
	return p.publicAccount(), nil
}

func (p *Phone) register() (any, error) {
	if !p.acc.Configured() {
		return nil, account.ErrNotConfigured
	}
	if err := p.startRegister(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (p *Phone) startRegister() error {
	if err := p.cfg.SIP.Register(); err != nil {
		p.log.Warn("register", "err", err)
		return fmt.Errorf("register: %w (%w)", err, api.ErrUnavailable)
	}
	return nil
}

func (p *Phone) unregister() (any, error) {
	if !p.acc.Configured() {
		return nil, account.ErrNotConfigured
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.cfg.SIP.Unregister(ctx); err != nil {
			p.log.Warn("unregister", "err", err)
		}
	}()
	return struct{}{}, nil
}

// onRegState records and reports a registration change.
func (p *Phone) onRegState(st api.RegState) {
	if st == p.reg {
		return
	}
	p.reg = st
	p.bus.Emit(api.EvRegState, st)
}
