package phone

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// multiFake is the fake SIP stack with the accounts besides the default: it records
// what the phone asks of each.
type multiFake struct {
	*fakeSIP
	mu          sync.Mutex
	accounts    map[string]account.Account
	registers   []string
	unregisters []string
	removed     []string
	dialedFrom  map[Dialog]string
	lookups     map[string]string // LocalIPFrom's answer per account; 127.0.0.1 for others
}

func (m *multiFake) SetExtraAccount(id string, acc account.Account) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts[id] = acc
	return nil
}

func (m *multiFake) RemoveAccount(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.accounts, id)
	m.removed = append(m.removed, id)
}

func (m *multiFake) RegisterAccount(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.registers = append(m.registers, id)
	return nil
}

func (m *multiFake) UnregisterAccount(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unregisters = append(m.unregisters, id)
	return nil
}

func (m *multiFake) TargetFrom(id, to string) (string, error) {
	m.mu.Lock()
	acc, ok := m.accounts[id]
	m.mu.Unlock()
	if !ok {
		return "", sipstack.ErrNoAccount
	}
	return sipstack.ParseTarget(to, sipstack.Account{Server: acc.Server, Username: acc.Username})
}

func (m *multiFake) LocalIPFrom(id, _ string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ip, ok := m.lookups[id]; ok {
		return ip
	}
	return "127.0.0.1"
}

func (m *multiFake) DialFrom(id, target string, offer []byte, headers []Header, reoffer func(ip string) []byte) (Dialog, error) {
	d, err := m.Dial(target, offer, headers, reoffer)
	if err == nil {
		m.mu.Lock()
		m.dialedFrom[d] = id
		m.mu.Unlock()
	}
	return d, err
}

// seen returns a copy of a list m keeps.
func (m *multiFake) seen(list *[]string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(*list)
}

// memAccounts is a Store that keeps the accounts in memory and can refuse.
type memAccounts struct {
	mu      sync.Mutex
	next    int
	saved   map[string]account.Account
	refuse  error
	removed []string
}

func (s *memAccounts) SaveAccount(account.Account) error { return s.refuse }

func (s *memAccounts) Add(a account.Account) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return "", s.refuse
	}
	s.next++
	id := strconv.Itoa(s.next)
	s.saved[id] = a
	return id, nil
}

func (s *memAccounts) Update(id string, a account.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return s.refuse
	}
	s.saved[id] = a
	return nil
}

func (s *memAccounts) Remove(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return s.refuse
	}
	delete(s.saved, id)
	s.removed = append(s.removed, id)
	return nil
}

// newMultiRig is a rig whose SIP port serves several accounts, with mod applied.
func newMultiRig(t *testing.T, mod func(*Config)) (*rig, *multiFake) {
	var m *multiFake
	r := newRig(t, func(c *Config) {
		m = &multiFake{fakeSIP: c.SIP.(*fakeSIP), accounts: map[string]account.Account{}, dialedFrom: map[Dialog]string{}, lookups: map[string]string{}}
		c.SIP = m
		if mod != nil {
			mod(c)
		}
	})
	return r, m
}

var sales = api.AccountArgs{Server: ptr("sales.example.com"), Username: ptr("2001"), Password: ptr("pw"), Register: ptr(true), RegisterInterval: ptr(600)}

// An account added beside the default registers on its own, is listed with its
// registration, and its reg.state says which account it is.
func TestAddedAccountRegistersBesideTheDefault(t *testing.T) {
	r, m := newMultiRig(t, nil)
	info := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo)
	if info.ID == "" || info.ID == account.FirstID || info.Default || info.Username != "2001" || !info.HasPassword {
		t.Fatalf("account.add: %+v", info)
	}
	if got := m.seen(&m.registers); !slices.Equal(got, []string{info.ID}) {
		t.Fatalf("registrations started %q, want the new account's", got)
	}
	if acc := m.accounts[info.ID]; acc.RegisterInterval != 600 || acc.Server != "sales.example.com" {
		t.Errorf("the stack got %+v", acc)
	}
	list := r.nextEvent(api.EvAccounts).(api.AccountList)
	if len(list.Accounts) != 2 || !list.Accounts[0].Default || list.Accounts[1].ID != info.ID {
		t.Fatalf("accounts.changed: %+v", list)
	}

	r.p.post(func() {
		r.p.onRegState(api.RegState{Account: info.ID, State: api.RegRegistered, Code: 200, Expires: 600})
	})
	if st := r.nextEvent(api.EvRegState).(api.RegState); st.Account != info.ID || st.State != api.RegRegistered {
		t.Errorf("reg.state %+v, want the added account's", st)
	}
	r.registered() // the default account's
	if st := r.nextEvent(api.EvRegState).(api.RegState); st.Account != account.FirstID {
		t.Errorf("the default account's reg.state names account %q", st.Account)
	}
	listed := r.mustDo(api.CmdAccountsList.Name, nil).(api.AccountList).Accounts
	if len(listed) != 2 || listed[0].Registration.State != api.RegRegistered || listed[1].Registration.State != api.RegRegistered ||
		listed[1].Registration.Expires != 600 {
		t.Errorf("accounts.list %+v", listed)
	}
	if snap := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(snap.Accounts) != 2 || snap.Registration.Account != account.FirstID {
		t.Errorf("the snapshot's accounts %+v, registration %+v", snap.Accounts, snap.Registration)
	}
}

// call.dial from an account goes from it, and the call says so; without one it
// goes from the default; an unknown account is not_found.
func TestDialFromAnAccount(t *testing.T) {
	r, m := newMultiRig(t, nil)
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob", Account: id})
	d := r.sip.lastDial(t)
	if m.dialedFrom[d] != id || d.target != "sip:bob@sales.example.com" {
		t.Errorf("dialled %q from %q, want bob at the added account's server from it", d.target, m.dialedFrom[d])
	}
	if cs := r.expectStates(api.CallDialing); cs.Account != id {
		t.Errorf("the call is on account %q, want %q", cs.Account, id)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
	d = r.sip.lastDial(t)
	if _, fromExtra := m.dialedFrom[d]; fromExtra || d.target != "sip:carol@127.0.0.1:5060" {
		t.Errorf("a call without an account went to %q from an added account (%v)", d.target, fromExtra)
	}
	if cs := r.expectStates(api.CallDialing); cs.Account != account.FirstID {
		t.Errorf("a call without an account is on account %q", cs.Account)
	}
	if _, err := r.do(api.CmdCallDial.Name, &api.DialArgs{To: "bob", Account: "9"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("a call from an unknown account: %v", err)
	}
}

// An incoming call says the account it came in for.
func TestIncomingCallSaysItsAccount(t *testing.T) {
	r, _ := newMultiRig(t, nil)
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	r.p.post(func() {
		r.p.onIncoming(Incoming{Account: id, Dialog: &fakeDialog{id: "in-1"}, From: "sip:carol@127.0.0.1", SDP: peerSDP(31000, pcmu)})
	})
	if cs := r.expectStates(api.CallIncoming); cs.Account != id {
		t.Errorf("the call for the added account is on account %q", cs.Account)
	}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Dialog: &fakeDialog{id: "in-2"}, From: "sip:dave@127.0.0.1", SDP: peerSDP(31002, pcmu)})
	})
	for {
		if cs := r.nextCallState(); cs.SIPCallID == "in-2" {
			if cs.Account != account.FirstID {
				t.Errorf("the call for the default account is on account %q", cs.Account)
			}
			return
		}
	}
}

// account.remove unregisters and drops the account; the default stays.
func TestRemoveAccount(t *testing.T) {
	r, m := newMultiRig(t, nil)
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	r.p.post(func() { r.p.onRegState(api.RegState{Account: id, State: api.RegRegistered}) })
	r.mustDo(api.CmdAccountRemove.Name, &api.AccountRef{ID: id})
	waitFor(t, func() bool { return len(m.seen(&m.removed)) == 1 })
	if got := m.seen(&m.unregisters); !slices.Equal(got, []string{id}) {
		t.Errorf("unregistered %q, want %q", got, id)
	}
	if list := r.mustDo(api.CmdAccountsList.Name, nil).(api.AccountList).Accounts; len(list) != 1 || !list[0].Default {
		t.Errorf("after the remove: %+v", list)
	}
	if _, err := r.do(api.CmdAccountRemove.Name, &api.AccountRef{ID: account.FirstID}); !errors.Is(err, api.ErrInvalidState) {
		t.Errorf("removing the default account: %v", err)
	}
	if _, err := r.do(api.CmdAccountRemove.Name, &api.AccountRef{ID: id}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("removing it again: %v", err)
	}
	if _, err := r.do(api.CmdAccountUpdate.Name, &api.AccountUpdateArgs{ID: id}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("updating a removed account: %v", err)
	}
}

// The accounts are saved as they change, with the store's ids; a change the store
// refuses is not made.
func TestAccountsAreSavedOrNotChanged(t *testing.T) {
	store := &memAccounts{next: 4, saved: map[string]account.Account{}}
	r, m := newMultiRig(t, func(c *Config) { c.Store = store })
	info := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo)
	if info.ID != "5" || store.saved["5"].Password != "pw" {
		t.Fatalf("added as %q; the store holds %+v", info.ID, store.saved)
	}
	r.mustDo(api.CmdAccountUpdate.Name, &api.AccountUpdateArgs{ID: "5", AccountArgs: api.AccountArgs{DisplayName: ptr("Sales")}})
	if store.saved["5"].DisplayName != "Sales" || m.accounts["5"].DisplayName != "Sales" {
		t.Errorf("the update reached the store as %+v and the stack as %+v", store.saved["5"], m.accounts["5"])
	}
	store.refuse = errors.New("disk full")
	if _, err := r.do(api.CmdAccountUpdate.Name, &api.AccountUpdateArgs{ID: "5", AccountArgs: api.AccountArgs{DisplayName: ptr("Lost")}}); !errors.Is(err, ErrStorage) {
		t.Errorf("an update the store refused: %v", err)
	}
	if list := r.mustDo(api.CmdAccountsList.Name, nil).(api.AccountList).Accounts; list[1].DisplayName != "Sales" || m.accounts["5"].DisplayName != "Sales" {
		t.Errorf("the refused update was kept: %+v", list[1])
	}
	if _, err := r.do(api.CmdAccountAdd.Name, &sales); !errors.Is(err, ErrStorage) {
		t.Errorf("an addition the store refused: %v", err)
	}
	if _, err := r.do(api.CmdAccountRemove.Name, &api.AccountRef{ID: "5"}); !errors.Is(err, ErrStorage) {
		t.Errorf("a removal the store refused: %v", err)
	}
	if n := len(r.mustDo(api.CmdAccountsList.Name, nil).(api.AccountList).Accounts); n != 2 {
		t.Errorf("%d accounts after refused changes, want 2", n)
	}
	if _, err := r.do(api.CmdAccountAdd.Name, &api.AccountArgs{Server: ptr("pbx")}); !isArgError(err, "username") {
		t.Errorf("an account without a user name: %v", err)
	}
}

func isArgError(err error, field string) bool {
	var arg *api.ArgError
	return errors.As(err, &arg) && arg.Field == field
}

// The saved accounts besides the default are handed to SIP at start and those that
// ask to register do.
func TestSavedAccountsRegisterAtStart(t *testing.T) {
	_, m := newMultiRig(t, func(c *Config) {
		c.Accounts = []account.Entry{
			{ID: "2", Account: account.Account{Server: "a.example.com", Username: "2", Register: true}},
			{ID: "3", Account: account.Account{Server: "b.example.com", Username: "3"}},
		}
	})
	waitFor(t, func() bool { return len(m.seen(&m.registers)) == 1 })
	if got := m.seen(&m.registers); got[0] != "2" || len(m.accounts) != 2 {
		t.Errorf("registered %q with accounts %v, want 2 registered of 2 and 3", got, m.accounts)
	}
}

// Each account besides the default registers again when the address toward its
// own server changed after a network change, and only then; the lookup runs off
// the actor, as the default account's.
func TestEachAccountFollowsTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := make(fakeNet)
		r, m := newMultiRig(t, func(c *Config) { c.NetWatch = net })
		id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
		r.p.post(func() { r.p.onRegState(api.RegState{Account: id, State: api.RegRegistered}) })
		synctest.Wait()
		net <- struct{}{} // nothing moved
		synctest.Wait()
		if got := m.seen(&m.registers); len(got) != 1 {
			t.Fatalf("registrations %q after a change that moved nothing, want one", got)
		}
		m.mu.Lock()
		m.lookups[id] = "10.0.0.3"
		m.mu.Unlock()
		net <- struct{}{}
		synctest.Wait()
		if got := m.seen(&m.registers); !slices.Equal(got, []string{id, id}) {
			t.Fatalf("registrations %q after the address toward its server changed, want it twice", got)
		}
		if n := r.sip.registered(); n != 0 {
			t.Errorf("the default account, not registering, registered %d times", n)
		}
	})
}

// Each account's codecs and media encryption rule its calls: an offer from the
// account lists its codecs under its policy, and an offer to it is taken by them.
func TestEachAccountHasItsOwnCodecsAndEncryption(t *testing.T) {
	r, _ := newMultiRig(t, func(c *Config) { c.Settings.MaxLines = 4 })
	secure := sales
	secure.Codecs, secure.MediaEncryption = &[]string{"PCMA"}, ptr(api.MediaEncryptionMandatory)
	id := r.mustDo(api.CmdAccountAdd.Name, &secure).(api.AccountInfo).ID

	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob", Account: id})
	if offer := string(r.sip.lastDial(t).offer); !strings.Contains(offer, "RTP/SAVP 8 ") || !strings.Contains(offer, "a=crypto:") {
		t.Errorf("the offer from the account with PCMA and mandatory SRTP:\n%s", offer)
	}
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "carol"})
	if offer := string(r.sip.lastDial(t).offer); !strings.Contains(offer, "RTP/AVP 0 8 ") || strings.Contains(offer, "a=crypto:") {
		t.Errorf("the offer from the default account:\n%s", offer)
	}

	plain := &fakeDialog{id: "in-plain"}
	r.p.post(func() {
		r.p.onIncoming(Incoming{Account: id, Dialog: plain, From: "sip:dave@127.0.0.1", SDP: peerSDP(31000, pcma)})
	})
	r.sync()
	if got := plain.did(); !slices.Contains(got, "reject 488") {
		t.Errorf("a plain offer to the account with mandatory SRTP: %q, want 488", got)
	}
}
