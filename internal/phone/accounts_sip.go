package phone

import (
	"context"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// The SIPAdapter's AccountsSIP: the accounts besides the default, each the stack's
// Account with its ID.

func (a *SIPAdapter) SetExtraAccount(id string, acc account.Account) error {
	sa := sipAccount(acc)
	sa.ID = id
	if err := a.stack.SetAccount(sa); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.extras == nil {
		a.extras = map[string]sipstack.Account{}
	}
	a.extras[id] = sa
	return nil
}

func (a *SIPAdapter) RemoveAccount(id string) {
	a.stack.RemoveAccount(id)
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.extras, id)
}

func (a *SIPAdapter) RegisterAccount(id string) error { return a.stack.RegisterAccount(id) }

func (a *SIPAdapter) UnregisterAccount(ctx context.Context, id string) error {
	return a.stack.UnregisterAccount(ctx, id)
}

func (a *SIPAdapter) TargetFrom(id, to string) (string, error) {
	a.mu.Lock()
	acc, ok := a.extras[id]
	a.mu.Unlock()
	if !ok {
		return "", sipstack.ErrNoAccount
	}
	return sipstack.ParseTarget(to, acc)
}

func (a *SIPAdapter) LocalIPFrom(id, target string) string {
	return a.stack.LocalIPForAccount(id, target)
}

func (a *SIPAdapter) DialFrom(id, target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error) {
	hs := make([]sipstack.Header, len(headers))
	for i, h := range headers {
		hs[i] = sipstack.Header(h)
	}
	c, err := a.stack.Dial(sipstack.DialOptions{Target: target, SDP: offer, Headers: hs, Reoffer: reoffer, Account: id})
	if err != nil {
		return nil, err
	}
	return c, nil
}
