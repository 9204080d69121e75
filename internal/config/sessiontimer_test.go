package config

import (
	"strings"
	"testing"
)

// The session timer's settings default to 1800 s and the RFC's 90 s floor, refuse
// less than 90 s, and go lower only with the test variable set; a sessionExpires
// of 0 turns our request off and leaves minSE its whole range.
func TestSessionTimerSettings(t *testing.T) {
	c := Default()
	if c.SIP.SessionExpires != 1800 || c.SIP.MinSE != 90 {
		t.Errorf("defaults sessionExpires %d, minSE %d; want 1800, 90", c.SIP.SessionExpires, c.SIP.MinSE)
	}
	for in, want := range map[string]string{
		`{"sip":{"sessionExpires":89}}`:              "sip.sessionExpires",
		`{"sip":{"sessionExpires":86401}}`:           "sip.sessionExpires",
		`{"sip":{"minSE":30}}`:                       "sip.minSE",
		`{"sip":{"sessionExpires":120,"minSE":121}}`: "sip.minSE",
		`{"sip":{"sessionExpires":4,"minSE":2}}`:     "sip.sessionExpires",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want error mentioning %q", in, err, want)
		}
	}
	off, err := Parse([]byte(`{"sip":{"sessionExpires":0,"minSE":3600}}`))
	if err != nil || off.SIP.SessionExpires != SessionTimerOff || off.SIP.MinSE != 3600 {
		t.Errorf("sessionExpires 0 (off): %+v, %v", off.SIP, err)
	}
	t.Setenv(TestMinSEEnv, "2")
	c, err = Parse([]byte(`{"sip":{"sessionExpires":4,"minSE":2}}`))
	if err != nil || c.SIP.SessionExpires != 4 || c.SIP.MinSE != 2 {
		t.Errorf("with %s=2: %+v, %v", TestMinSEEnv, c.SIP, err)
	}
}
