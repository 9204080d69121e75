package config

import (
	"os"
	"strconv"
)

// rfcMinSE is the shortest session interval RFC 4028 allows, in seconds.
const rfcMinSE = 90

// maxSessionExpires bounds sip.sessionExpires: a day.
const maxSessionExpires = 86400

// TestMinSEEnv names an environment variable that lowers the floor of
// sip.sessionExpires and sip.minSE below the RFC's 90 s, to as little as 1 s, so
// that end-to-end tests see session refreshes and expiries in seconds. A real
// deployment never sets it.
const TestMinSEEnv = "WPSERVICE_TEST_MIN_SE"

// sessionFloor is the least sip.sessionExpires and sip.minSE may be.
func sessionFloor() int {
	if v, err := strconv.Atoi(os.Getenv(TestMinSEEnv)); err == nil && v >= 1 && v < rfcMinSE {
		return v
	}
	return rfcMinSE
}

// SessionTimerOff is the value of sip.sessionExpires that asks for no session
// timer: our INVITEs carry no Session-Expires, and a peer's is still honoured.
const SessionTimerOff = 0

// validateSessionTimer checks sip.sessionExpires and sip.minSE.
func (c *Config) validateSessionTimer(bad func(field, msg string, args ...any)) {
	floor := sessionFloor()
	off := c.SIP.SessionExpires == SessionTimerOff
	if !off && (c.SIP.SessionExpires < floor || c.SIP.SessionExpires > maxSessionExpires) {
		bad("sip.sessionExpires", "0 (off) or %d..%d seconds", floor, maxSessionExpires)
	}
	most := c.SIP.SessionExpires
	if off {
		most = maxSessionExpires
	}
	if c.SIP.MinSE < floor || c.SIP.MinSE > most {
		bad("sip.minSE", "%d seconds up to sip.sessionExpires", floor)
	}
}
