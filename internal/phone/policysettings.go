package phone

import (
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// Limits of the policy settings.
const (
	maxBlockList   = 1000 // entries
	maxPolicyField = 256  // characters of one entry or target
	maxRingTimeout = 3600 // seconds
)

// applyPolicies returns pol with the policy fields a sets, refusing values out
// of range (settingsave.go).
func applyPolicies(pol Policies, a api.SettingsArgs) (Policies, error) {
	if a.DND != nil {
		pol.DND = *a.DND
	}
	if a.DNDAction != nil {
		code, ok := dndCodes[*a.DNDAction]
		if !ok {
			return Policies{}, api.BadArg("dndAction", `"busy" (486) or "decline" (603)`)
		}
		pol.DNDCode = code
	}
	if a.BlockList != nil {
		list, err := blockList(*a.BlockList)
		if err != nil {
			return Policies{}, err
		}
		pol.BlockList = list
	}
	if a.RejectWhenBusy != nil {
		pol.RejectWhenBusy = *a.RejectWhenBusy
	}
	for _, f := range []struct {
		name string
		v    *string
		to   *string
	}{
		{"forwardAlways", a.ForwardAlways, &pol.ForwardAlways},
		{"forwardOnBusy", a.ForwardOnBusy, &pol.ForwardOnBusy},
		{"forwardOnNoAnswer", a.ForwardOnNoAnswer, &pol.ForwardOnNoAnswer},
	} {
		if f.v == nil {
			continue
		}
		t := strings.TrimSpace(*f.v)
		if !policyText(t) {
			return Policies{}, api.BadArg(f.name, "a SIP URI, a user or a number of at most 256 characters, without spaces; \"\" = off")
		}
		*f.to = t
	}
	if a.RingTimeout != nil {
		if *a.RingTimeout < 0 || *a.RingTimeout > maxRingTimeout {
			return Policies{}, api.BadArg("ringTimeout", "0..3600 seconds; 0 = ring until the caller gives up")
		}
		pol.RingTimeout = time.Duration(*a.RingTimeout) * time.Second
	}
	if a.AutoAnswerHeaders != nil {
		pol.AutoAnswerHeaders = *a.AutoAnswerHeaders
	}
	return pol, nil
}

// blockList splits a block list at its commas (and line ends), checks and trims
// its entries; empty ones are dropped.
func blockList(list string) ([]string, error) {
	in := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	if len(in) > maxBlockList {
		return nil, api.BadArg("blockList", "at most 1000 entries")
	}
	out := []string{}
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if !policyText(e) && !isNumber(e) {
			return nil, api.BadArg("blockList", "each entry a user, a number or a SIP URI of at most 256 characters")
		}
		out = append(out, e)
	}
	return out, nil
}

// policyText reports whether s may be a forwarding target or a block list
// entry: short, without spaces or control characters.
func policyText(s string) bool {
	if len(s) > maxPolicyField {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
