package phone

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
)

// Several accounts. The default account (p.acc, id p.accID) is the one the
// engine always had: account.get and account.set read and change it, and the
// calls, registration and events that name no account are its. The others
// (p.extras, in order) each register on their own (the stack runs a loop per
// account) and take calls; a call says its account (call.account), and call.dial
// places one from any. A call's offers and answers follow its account's codecs and
// media encryption.

// extraAccount is an account besides the default, as the actor keeps it.
type extraAccount struct {
	id     string
	acc    account.Account
	reg    api.RegState
	regIP  string // our address toward its server when its registration started
	regGen int    // counts its registration starts: a late lookup of regIP is for an old one
}

// AccountsSIP is the part of the SIP port that serves the accounts besides the
// default, each named by its id. The phone's SIPAdapter implements it.
type AccountsSIP interface {
	// SetExtraAccount sets or replaces the account id, without registering it.
	SetExtraAccount(id string, acc account.Account) error
	// RemoveAccount stops the registration of account id and forgets it.
	RemoveAccount(id string)
	RegisterAccount(id string) error
	UnregisterAccount(ctx context.Context, id string) error
	// TargetFrom is Target for a call from account id: a user name is completed
	// with its domain.
	TargetFrom(id, to string) (string, error)
	// LocalIPFrom is LocalIP for a call from account id (its outbound proxy).
	LocalIPFrom(id, target string) string
	// DialFrom is Dial from account id.
	DialFrom(id, target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error)
}

// AccountsStore is the part of the Store that keeps the accounts besides the
// default, which accountstore.Store implements.
type AccountsStore interface {
	Add(account.Account) (string, error)
	Update(id string, a account.Account) error
	Remove(id string) error
}

// multiSIP is the SIP port's AccountsSIP, or ErrNoAccounts.
func (p *Phone) multiSIP() (AccountsSIP, error) {
	if m, ok := p.cfg.SIP.(AccountsSIP); ok {
		return m, nil
	}
	return nil, ErrNoAccounts
}

// accountsStore is the Store's AccountsStore; nil: the accounts are not kept.
func (p *Phone) accountsStore() AccountsStore {
	if s, ok := p.cfg.Store.(AccountsStore); ok && p.cfg.Store != nil {
		return s
	}
	return nil
}

// extra returns the account besides the default with id, or nil.
func (p *Phone) extra(id string) *extraAccount {
	for _, x := range p.extras {
		if x.id == id {
			return x
		}
	}
	return nil
}

// stackID is how the SIP port names the account with id: "" for the default.
func (p *Phone) stackID(id string) string {
	if id == "" || id == p.accID {
		return ""
	}
	return id
}

// accountID is the id of the account the SIP port names stackID ("" the default).
func (p *Phone) accountID(stackID string) string {
	if stackID == "" {
		return p.accID
	}
	return stackID
}

// accountOf is the account of a call: the one it was dialled from or came in for.
func (p *Phone) accountOf(c *call) account.Account {
	if x := p.extra(c.account); x != nil {
		return x.acc
	}
	return p.acc
}

// accountInfos is every account for accounts.list and the snapshot, the default
// first.
func (p *Phone) accountInfos() []api.AccountInfo {
	out := []api.AccountInfo{{ID: p.accID, Default: true, Account: p.publicAccount(), Registration: p.regState()}}
	for _, x := range p.extras {
		out = append(out, x.info())
	}
	return out
}

// regState is the default account's registration, with its id.
func (p *Phone) regState() api.RegState {
	st := p.reg
	st.Account = p.accID
	return st
}

func (x *extraAccount) info() api.AccountInfo {
	st := x.reg
	st.Account = x.id
	return api.AccountInfo{ID: x.id, Account: x.acc.Public(), Registration: st}
}

func (p *Phone) listAccounts(*api.NoArgs) (api.AccountList, error) {
	return api.AccountList{Accounts: p.accountInfos()}, nil
}

// emitAccounts reports the list of accounts after a change.
func (p *Phone) emitAccounts() {
	p.bus.Emit(api.EvAccounts, api.AccountList{Accounts: p.accountInfos()})
}

// addAccount adds an account besides the default and registers it when it asks to.
// With no default account configured yet, the new one becomes it (account.set).
func (p *Phone) addAccount(a *api.AccountArgs) (api.AccountInfo, error) {
	if !p.acc.Configured() {
		if _, err := p.setAccount(a); err != nil {
			return api.AccountInfo{}, err
		}
		p.emitAccounts()
		return p.accountInfos()[0], nil
	}
	m, err := p.multiSIP()
	if err != nil {
		return api.AccountInfo{}, err
	}
	acc, err := checkedAccount(account.Account{}, a)
	if err != nil {
		return api.AccountInfo{}, err
	}
	id, err := p.newAccountID(acc)
	if err != nil {
		return api.AccountInfo{}, err
	}
	if err := m.SetExtraAccount(id, acc); err != nil {
		if s := p.accountsStore(); s != nil {
			if err := s.Remove(id); err != nil {
				p.log.Warn("remove the account SIP refused", "account", id, "err", err)
			}
		}
		return api.AccountInfo{}, &api.ArgError{Reason: err.Error()}
	}
	x := &extraAccount{id: id, acc: acc, reg: api.RegState{State: api.RegUnregistered}}
	p.extras = append(p.extras, x)
	p.emitAccounts()
	if acc.Register {
		if err := p.registerExtra(x); err != nil {
			return x.info(), err
		}
	}
	return x.info(), nil
}

// checkedAccount is acc with args merged, normalized and validated; it must name a
// server and a user.
func checkedAccount(acc account.Account, args *api.AccountArgs) (account.Account, error) {
	acc = acc.Merge(*args).Normalize()
	if err := acc.Validate(); err != nil {
		return account.Account{}, err
	}
	if acc.Server == "" {
		return account.Account{}, api.BadArg("server", "required")
	}
	if acc.Username == "" {
		return account.Account{}, api.BadArg("username", "required")
	}
	return acc, nil
}

// newAccountID saves acc as a new account and returns its id; without a store, the
// next id no account has had in this run.
func (p *Phone) newAccountID(acc account.Account) (string, error) {
	if s := p.accountsStore(); s != nil {
		id, err := s.Add(acc)
		if err != nil {
			p.log.Warn("save account", "err", err)
			return "", fmt.Errorf("%w: %w", ErrStorage, err)
		}
		return id, nil
	}
	for {
		p.lastAccID++
		id := strconv.Itoa(p.lastAccID)
		if id != p.accID && p.extra(id) == nil {
			return id, nil
		}
	}
}

// updateAccount changes an account: the default as account.set does, another in
// the same way.
func (p *Phone) updateAccount(a *api.AccountUpdateArgs) (api.AccountInfo, error) {
	if a.ID == p.accID {
		if _, err := p.setAccount(&a.AccountArgs); err != nil {
			return api.AccountInfo{}, err
		}
		p.emitAccounts()
		return p.accountInfos()[0], nil
	}
	x := p.extra(a.ID)
	if x == nil {
		return api.AccountInfo{}, fmt.Errorf("%w: %q", ErrNoSuchAccount, a.ID)
	}
	m, err := p.multiSIP()
	if err != nil {
		return api.AccountInfo{}, err
	}
	acc, err := checkedAccount(x.acc, &a.AccountArgs)
	if err != nil {
		return api.AccountInfo{}, err
	}
	if err := m.SetExtraAccount(x.id, acc); err != nil {
		return api.AccountInfo{}, &api.ArgError{Reason: err.Error()}
	}
	if s := p.accountsStore(); s != nil {
		if err := s.Update(x.id, acc); err != nil {
			p.log.Warn("save account", "account", x.id, "err", err)
			if err := m.SetExtraAccount(x.id, x.acc); err != nil {
				p.log.Warn("restore the account in SIP", "account", x.id, "err", err)
			}
			return api.AccountInfo{}, fmt.Errorf("%w: %w", ErrStorage, err)
		}
	}
	x.acc = acc
	p.emitAccounts()
	if acc.Register {
		if err := p.registerExtra(x); err != nil {
			return x.info(), err
		}
	}
	return x.info(), nil
}

// removeAccount removes an account besides the default: it is forgotten at once,
// and unregistered and dropped from the stack on a worker. The default account
// stays (account.set changes it).
func (p *Phone) removeAccount(a *api.AccountRef) (api.Empty, error) {
	if a.ID == p.accID {
		return api.Empty{}, ErrDefaultAccount
	}
	x := p.extra(a.ID)
	if x == nil {
		return api.Empty{}, fmt.Errorf("%w: %q", ErrNoSuchAccount, a.ID)
	}
	m, err := p.multiSIP()
	if err != nil {
		return api.Empty{}, err
	}
	if s := p.accountsStore(); s != nil {
		if err := s.Remove(x.id); err != nil {
			p.log.Warn("remove account", "account", x.id, "err", err)
			return api.Empty{}, fmt.Errorf("%w: %w", ErrStorage, err)
		}
	}
	for i, y := range p.extras {
		if y == x {
			p.extras = append(p.extras[:i:i], p.extras[i+1:]...)
			break
		}
	}
	registered := x.reg.State == api.RegRegistered || x.reg.State == api.RegRegistering
	p.syncWatches() // its contacts' subscriptions stop
	p.syncMWI()     // and its voicemail box's
	p.goWork(func(ctx context.Context) {
		if registered {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := m.UnregisterAccount(ctx, x.id); err != nil {
				p.log.Warn("unregister", "account", x.id, "err", err)
			}
		}
		m.RemoveAccount(x.id)
	})
	p.emitAccounts()
	return api.Empty{}, nil
}

// startExtras hands the accounts besides the default to SIP at start and registers
// those that ask to.
func (p *Phone) startExtras() {
	if len(p.extras) == 0 {
		return
	}
	m, err := p.multiSIP()
	if err != nil {
		p.log.Warn("accounts besides the default not used", "err", err)
		return
	}
	for _, x := range p.extras {
		if err := m.SetExtraAccount(x.id, x.acc); err != nil {
			p.log.Warn("account not usable", "account", x.id, "err", err)
			continue
		}
		if x.acc.Register {
			if err := p.registerExtra(x); err != nil {
				p.log.Warn("register", "account", x.id, "err", err)
			}
		}
	}
}

// registerExtra starts (or starts over) the registration of x; the address toward
// its server, which a network change is compared with, is looked up on a worker.
func (p *Phone) registerExtra(x *extraAccount) error {
	m, err := p.multiSIP()
	if err != nil {
		return err
	}
	x.regGen++
	x.regIP = ""
	gen, server := x.regGen, "sip:"+x.acc.Server
	p.goWork(func(context.Context) {
		ip := m.LocalIPFrom(x.id, server)
		p.post(func() {
			if x.regGen == gen {
				x.regIP = ip
			}
		})
	})
	return p.registerExtraNow(x, m)
}

// registerExtraNow has the stack start (or start over) the registration of x.
func (p *Phone) registerExtraNow(x *extraAccount, m AccountsSIP) error {
	if err := m.RegisterAccount(x.id); err != nil {
		p.log.Warn("register", "account", x.id, "err", err)
		return fmt.Errorf("%w: register: %w", ErrSignalling, err)
	}
	return nil
}

// onExtraRegState records and reports a registration change of an account besides
// the default; one removed meanwhile is not reported.
func (p *Phone) onExtraRegState(st api.RegState) {
	x := p.extra(st.Account)
	if x == nil {
		return
	}
	st.Account = ""
	if st == x.reg {
		return
	}
	x.reg = st
	st.Account = x.id
	p.bus.Emit(api.EvRegState, st)
	p.syncWatches() // watches.go: the contacts' subscriptions from this account
	p.syncMWI()     // mwi.go: its voicemail box
}

// extraServers are the servers of the accounts besides the default that register,
// by id, for a network change's lookups (netchange.go).
func (p *Phone) extraServers() map[string]string {
	servers := map[string]string{}
	for _, x := range p.extras {
		if x.reg.State == api.RegRegistered || x.reg.State == api.RegRegistering {
			servers[x.id] = "sip:" + x.acc.Server
		}
	}
	return servers
}

// lookupExtras finds, off the actor, the address toward each of servers.
func (p *Phone) lookupExtras(servers map[string]string) map[string]string {
	m, err := p.multiSIP()
	if err != nil {
		return nil
	}
	ips := make(map[string]string, len(servers))
	for id, server := range servers {
		ips[id] = m.LocalIPFrom(id, server)
	}
	return ips
}

// followExtras registers again each account besides the default whose address
// toward its server changed after a network change.
func (p *Phone) followExtras(ips map[string]string) {
	m, err := p.multiSIP()
	if err != nil {
		return
	}
	for id, ip := range ips {
		x := p.extra(id)
		if x == nil || ip == x.regIP || (x.reg.State != api.RegRegistered && x.reg.State != api.RegRegistering) {
			continue
		}
		p.log.Info("network changed: registering again", "account", id, "from", x.regIP, "to", ip)
		x.regGen++
		x.regIP = ip
		if err := p.registerExtraNow(x, m); err != nil {
			p.log.Warn("re-register after a network change", "account", id, "err", err)
		}
	}
}
