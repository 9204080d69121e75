package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// A contact may name the account its presence and busy-lamp subscriptions go
// from; none, or the default's id, is the default account. A contact whose account
// is removed later keeps its id, and has no subscriptions until an account with
// that id is there and registered again.

// contactAccount checks the account a contacts.set names: "" for the default, else
// the id of an account besides it; another is ErrNoSuchAccount.
func (p *Phone) contactAccount(id string) (string, error) {
	if p.stackID(id) == "" {
		return "", nil
	}
	if p.extra(id) == nil {
		return "", fmt.Errorf("%w: %q", ErrNoSuchAccount, id)
	}
	return id, nil
}

// stackReg is the registration of the account the SIP port names account ("" the
// default); ok is false for one there is not.
func (p *Phone) stackReg(account string) (st api.RegState, ok bool) {
	if account == "" {
		return p.reg, true
	}
	if x := p.extra(account); x != nil {
		return x.reg, true
	}
	return api.RegState{}, false
}
