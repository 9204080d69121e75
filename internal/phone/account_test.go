package phone

import (
	"errors"
	"testing"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
)

func TestRegisterNeedsAnAccount(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Account = account.Account{} })
	for _, cmd := range []string{api.CmdRegister.Name, api.CmdUnregister.Name} {
		if _, err := r.do(cmd, nil); !errors.Is(err, api.ErrNoAccount) {
			t.Errorf("%s without an account: %v", cmd, err)
		}
	}
}

func TestRegisterFailureIsUnavailable(t *testing.T) {
	r := newRig(t, nil)
	r.sip.mu.Lock()
	r.sip.registerErr = errors.New("no transport")
	r.sip.mu.Unlock()
	if _, err := r.do(api.CmdRegister.Name, nil); !errors.Is(err, api.ErrUnavailable) {
		t.Errorf("register: %v", err)
	}
}

func TestAccountTheStackRefusesIsAnArgumentErrorAndIsNotKept(t *testing.T) {
	r := newRig(t, nil)
	r.sip.mu.Lock()
	r.sip.accountErr = errors.New("sipstack: bad account: bad username")
	r.sip.mu.Unlock()
	_, err := r.do(api.CmdAccountSet.Name, &api.AccountArgs{Username: ptr("bob")})
	var arg *api.ArgError
	if !errors.As(err, &arg) || arg.Error() != "sipstack: bad account: bad username" {
		t.Errorf("account.set: %v", err)
	}
	if acc := r.mustDo(api.CmdAccountGet.Name, nil).(api.Account); acc.Username != "alice" {
		t.Errorf("the refused account was kept: %+v", acc)
	}
}

// failingStore refuses every save, as a full disk or a read-only data folder would.
type failingStore struct{ tried int }

func (s *failingStore) SaveAccount(account.Account) error {
	s.tried++
	return errors.New("write account.json: no space left on device")
}

// An account change that cannot be saved is refused and not made: the engine, the
// SIP stack and the clients keep the account the engine will find at its next start.
func TestAccountThatCannotBeSavedIsRefusedAndNotKept(t *testing.T) {
	store := &failingStore{}
	r := newRig(t, func(c *Config) { c.Store = store })
	_, err := r.do(api.CmdAccountSet.Name, &api.AccountArgs{Username: ptr("bob")})
	if !errors.Is(err, ErrStorage) || !errors.Is(err, api.ErrUnavailable) || store.tried != 1 {
		t.Errorf("account.set with a failing store: %v (saves tried: %d)", err, store.tried)
	}
	if acc := r.mustDo(api.CmdAccountGet.Name, nil).(api.Account); acc.Username != "alice" {
		t.Errorf("the unsaved account was kept: %+v", acc)
	}
	r.sip.mu.Lock()
	sipUser := r.sip.acc.Username
	r.sip.mu.Unlock()
	if sipUser != "alice" {
		t.Errorf("the SIP stack kept the unsaved account's user %q", sipUser)
	}
	for len(r.events) > 0 {
		if ev := <-r.events; ev.Event == api.EvAccount {
			t.Errorf("account.changed announced an unsaved account: %+v", ev)
		}
	}
}
