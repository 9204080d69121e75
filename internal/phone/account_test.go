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
