package config

import (
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Control.Port != 18620 || c.Account != nil || c.Audio.Input != "device" || !c.Control.Pairing ||
		c.Control.TLS.Port != 18630 || c.SIP.KeepAlive != 25 || c.SIP.STUNServer != "" ||
		!c.SIP.FollowRedirects || !c.SIP.UDP {
		t.Errorf("unexpected default %+v", c)
	}
}

func TestParseOverlaysAndValidates(t *testing.T) {
	c, err := Parse([]byte(`{"control":{"port":0},"audio":{"backend":"null","input":"wav","inputFile":"in.wav"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Control.Port != 0 || c.Audio.Output != "device" || c.Settings.MaxLines != 4 {
		t.Errorf("overlay lost defaults: %+v", c)
	}
	for in, want := range map[string]string{
		`{"control":{"prot":1}}`:                      "unknown field",
		`{"sip":{"listenIP":"0.0.0.0"}}`:              "sip.listenIP",
		`{"sip":{"keepAlive":-1}}`:                    "sip.keepAlive",
		`{"sip":{"stunServer":"stun.example.com"}}`:   "sip.stunServer",
		`{"sip":{"stunServer":":3478"}}`:              "sip.stunServer",
		`{"sip":{"stunServer":"stun.example.com:0"}}`: "sip.stunServer",
		`{"sip":{"onNetworkChange":"hangup"}}`:        "sip.onNetworkChange",
		`{"audio":{"input":"wav"}}`:                   "audio.input",
		`{"settings":{"maxLines":0}}`:                 "settings.maxLines",
		`{"settings":{"maxLines":17}}`:                "settings.maxLines",
		`{"control":{"allowedOrigins":["crm.com"]}}`:  "allowedOrigins",
		`{"control":{"fallbackPorts":[70000]}}`:       "fallbackPorts",
		`{"log":{"level":"loud"}}`:                    "log.level",
		`{"control":{"adminOrigins":["https://a.example"],"readOnlyOrigins":["https://A.example"]}}`:            "one permission",
		`{"control":{"frameAncestors":["*"]}}`:                                                                  "frameAncestors",
		`{"control":{"allowedOrigins":["https://crm.example.com/"]}}`:                                           "allowedOrigins",
		`{"control":{"allowedOrigins":["null"]}}`:                                                               "allowedOrigins",
		`{"control":{"readOnlyOrigins":["https://[fe80::1%25eth0]"]}}`:                                          "readOnlyOrigins",
		`{"control":{"adminOrigins":["https://bücher.example"]}}`:                                               "xn--bcher-kva.example",
		`{"control":{"adminOrigins":["http://[::1]:3000"],"allowedOrigins":["http://[0:0:0:0:0:0:0:1]:3000"]}}`: "one permission",
		`{"control":{"allowedOrigins":["https://crm.example.com","https://crm.example.com:443"]}}`:              "one permission",
		`{"remote":{"enabled":true,"listen":":443"}}`:                                                           "remote",
		`{"control":{"tls":{"port":-1}}}`:                                                                       "control.tls.port",
		`[]`:                                                                                                    "config",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want error mentioning %q", in, err, want)
		}
	}
}

func TestProvisionedAccountRegistersByDefault(t *testing.T) {
	c, err := Parse([]byte(`{"account":{"server":"pbx","username":"a"}}`))
	if err != nil || !c.Account.Registers() {
		t.Errorf("default register: %v %+v", err, c.Account)
	}
	c, _ = Parse([]byte(`{"account":{"server":"pbx","username":"a","register":false}}`))
	if c.Account.Registers() {
		t.Error("register:false ignored")
	}
	if _, err := Parse([]byte(`{"control":{"allowedOrigins":["https://crm.example.com:8443","http://localhost:3000"]}}`)); err != nil {
		t.Errorf("valid origins refused: %v", err)
	}
}

// The settings object takes every field settings.set takes: those the engine's own
// settings name, and the others (policies, time limits) left nil unless set.
func TestSettingsTakeWhatSettingsSetTakes(t *testing.T) {
	c, err := Parse([]byte(`{"settings":{"rtpTimeout":10,"dnd":true,"forwardAlways":"2001","ringTimeoutOut":30}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Settings
	if s.RTPTimeout != 10 || s.SettingsArgs.RTPTimeout != nil {
		t.Errorf("rtpTimeout %d (shadowed %v), want 10 in Settings itself", s.RTPTimeout, s.SettingsArgs.RTPTimeout)
	}
	if s.DND == nil || !*s.DND || s.ForwardAlways == nil || *s.ForwardAlways != "2001" || s.RingTimeoutOut == nil || *s.RingTimeoutOut != 30 {
		t.Errorf("settings %+v, want dnd, forwardAlways and ringTimeoutOut set", s.SettingsArgs)
	}
	if s.BlockList != nil || s.CallTimeout != nil {
		t.Errorf("fields the file does not set: blockList %v, callTimeout %v; want nil", s.BlockList, s.CallTimeout)
	}
	if _, err := Parse([]byte(`{"settings":{"dnd":"yes"}}`)); err == nil {
		t.Error(`"dnd":"yes" accepted`)
	}
}
