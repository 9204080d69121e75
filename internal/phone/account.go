package phone

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

func (p *Phone) publicAccount() api.Account {
	a := p.acc
	return api.Account{
		Server: a.Server, Username: a.Username, AuthUsername: a.AuthUsername, HasPassword: a.Password != "",
		DisplayName: a.DisplayName, Transport: a.Transport, OutboundProxy: a.OutboundProxy,
		RegisterInterval: a.RegisterInterval, Codecs: slices.Clone(a.Codecs), Register: a.Register,
	}
}

// setAccount merges a into the account, validates the result, hands it to SIP, stores it
// and (re-)registers when the account asks for registration.
func (p *Phone) setAccount(a *api.AccountArgs) (any, error) {
	acc := p.acc
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&acc.Server, a.Server)
	set(&acc.Username, a.Username)
	set(&acc.AuthUsername, a.AuthUsername)
	set(&acc.DisplayName, a.DisplayName)
	set(&acc.Transport, a.Transport)
	set(&acc.OutboundProxy, a.OutboundProxy)
	if a.Password != nil {
		acc.Password = *a.Password // passwords may legitimately start or end with spaces
	}
	if a.RegisterInterval != nil {
		acc.RegisterInterval = *a.RegisterInterval
	}
	if a.Codecs != nil {
		acc.Codecs = slices.Clone(*a.Codecs)
	}
	if a.Register != nil {
		acc.Register = *a.Register
	}
	if err := ValidateAccount(&acc); err != nil {
		return nil, err
	}
	if err := p.cfg.SIP.SetAccount(acc); err != nil {
		return nil, api.NewError(api.CodeInvalidArgs, err.Error())
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

// ValidateAccount checks an account and fills defaults (transport udp, interval 300 s,
// codecs PCMU then PCMA). The error is an *api.Error naming the field.
func ValidateAccount(acc *Account) error {
	bad := func(field, msg string) error { return api.NewError(api.CodeInvalidArgs, field+": "+msg) }
	for field, v := range map[string]string{
		"server": acc.Server, "username": acc.Username, "authUsername": acc.AuthUsername,
		"outboundProxy": acc.OutboundProxy, "transport": acc.Transport,
	} {
		if strings.ContainsAny(v, " \t\r\n\x00<>\"'@;?,") {
			return bad(field, "contains a character that is not allowed here")
		}
		if len(v) > 255 {
			return bad(field, "longer than 255 bytes")
		}
	}
	if !validDisplayName(acc.DisplayName) {
		return bad("displayName", "control characters (CR, LF, NUL...), invalid UTF-8 or longer than 128 bytes")
	}
	if strings.ContainsAny(acc.Password, "\r\n\x00") || len(acc.Password) > 255 {
		return bad("password", "control characters or longer than 255 bytes")
	}
	switch acc.Transport {
	case "":
		acc.Transport = api.TransportUDP
	case api.TransportUDP, api.TransportTCP, api.TransportTLS:
	default:
		return bad("transport", "udp, tcp or tls")
	}
	switch {
	case acc.RegisterInterval == 0:
		acc.RegisterInterval = 300
	case acc.RegisterInterval < 30 || acc.RegisterInterval > 86400:
		return bad("registerInterval", "30..86400 seconds")
	}
	if len(acc.Codecs) == 0 {
		acc.Codecs = defaultCodecs()
	}
	seen := map[string]bool{}
	for i, name := range acc.Codecs {
		c, err := audio.NewCodec(name)
		if err != nil {
			return bad("codecs", "unknown codec "+strings.ToValidUTF8(name, "?"))
		}
		if seen[c.Name()] {
			return bad("codecs", c.Name()+" listed twice")
		}
		seen[c.Name()] = true
		acc.Codecs[i] = c.Name()
	}
	return nil
}

// validDisplayName reports whether name fits in a From header: UTF-8 of at most
// 128 bytes without control characters. Quotes and backslashes are fine: the SIP
// stack sends the name as a quoted-string with them escaped.
func validDisplayName(name string) bool {
	return len(name) <= 128 && utf8.ValidString(name) && !strings.ContainsFunc(name, unicode.IsControl)
}

func (p *Phone) register() (any, error) {
	if !p.acc.Configured() {
		return nil, api.NewError(api.CodeNoAccount, "set an account with server and username first")
	}
	if err := p.startRegister(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (p *Phone) startRegister() error {
	if err := p.cfg.SIP.Register(); err != nil {
		p.log.Warn("register", "err", err)
		return api.NewError(api.CodeUnavailable, "register: "+err.Error())
	}
	return nil
}

func (p *Phone) unregister() (any, error) {
	if !p.acc.Configured() {
		return nil, api.NewError(api.CodeNoAccount, "no account")
	}
	p.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := p.cfg.SIP.Unregister(ctx); err != nil {
			p.log.Warn("unregister", "err", err)
		}
	})
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
