package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/presence"
)

// maxPickupCode bounds the blfPickup setting.
const maxPickupCode = 16

// pickupCode checks a directed-pickup feature code: digits, * and #.
func pickupCode(s string) (string, error) {
	if len(s) > maxPickupCode {
		return "", api.BadArg("blfPickup", "at most 16 digits, * or #")
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '*' && r != '#' {
			return "", api.BadArg("blfPickup", "at most 16 digits, * or #")
		}
	}
	return s, nil
}

// pickup picks up the ringing call of a watched contact (blf.pickup), from the
// account the contact is watched from.
func (p *Phone) pickup(a *api.PickupArgs, done answer) {
	k := contactKey{p.stackID(a.Account), a.Number}
	st, ok := p.watches.blf[k]
	if !ok {
		done(nil, api.BadArg("number", "not a contact whose busy lamp is watched"))
		return
	}
	if st.Lamp != api.LampRinging {
		done(nil, fmt.Errorf("%w: %s is %s, not ringing", ErrNoPickup, a.Number, st.Lamp))
		return
	}
	if code := p.settings.BLFPickup; code != "" {
		p.dial(&api.DialArgs{To: code + a.Number, Account: k.account}, done)
		return
	}
	d, ok := p.ringingDialog(k)
	if !ok {
		done(nil, fmt.Errorf("%w: no blfPickup code, and the server gave no tags of %s's ringing dialog", ErrNoPickup, a.Number))
		return
	}
	// The dialog as the contact sees it: its local tag is the to-tag of our Replaces.
	replaces := d.CallID + ";to-tag=" + d.LocalTag + ";from-tag=" + d.RemoteTag + ";early-only"
	p.dial(&api.DialArgs{To: a.Number, Account: k.account, Headers: map[string]string{"Replaces": replaces}}, done)
}

// ringingDialog is the early dialog of contact k with the Call-ID and tags a
// Replaces needs: one ringing at the contact, not the contact's own call ringing
// elsewhere (direction initiator), which a Replaces would take from it.
func (p *Phone) ringingDialog(k contactKey) (presence.Dialog, bool) {
	for _, d := range p.dialogs[k] {
		if d.State != "confirmed" && d.Direction != "initiator" && d.CallID != "" && d.LocalTag != "" && d.RemoteTag != "" {
			return d, true
		}
	}
	return presence.Dialog{}, false
}
