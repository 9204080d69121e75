package phone

import (
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/presence"
)

// Busy lamps (RFC 4235): a contact's dialog-info documents read into its lamp
// (idle, ringing, busy, hold) and the dialog that decides it, reported as blf.state.
// A full document replaces the dialogs known; a partial one changes those it names.

// blfDialogs are the dialogs known of each watched contact, by dialog id.
type blfDialogs map[contactKey]map[string]presence.Dialog

// onDialogDocument reads a contact's dialog-info document.
func (p *Phone) onDialogDocument(k contactKey, n Notification) {
	info, err := presence.ParseDialogInfo(n.Body)
	if err != nil {
		p.malformed(n, err)
		return
	}
	if p.dialogs == nil {
		p.dialogs = blfDialogs{}
	}
	known := p.dialogs[k]
	if known == nil || info.Full {
		known = map[string]presence.Dialog{}
	}
	for _, d := range info.Dialogs {
		if d.State == "terminated" {
			delete(known, d.ID)
			continue
		}
		known[d.ID] = d
	}
	p.dialogs[k] = known
	list := make([]presence.Dialog, 0, len(known))
	for _, d := range known {
		list = append(list, d)
	}
	lamp, which := presence.Lamp(list)
	st := api.BLFState{Number: k.number, Account: k.account, Lamp: lamp}
	if which != nil {
		st.State, st.Direction, st.CallID, st.Peer = which.State, which.Direction, which.CallID, clip(which.Remote, maxContactNumber)
	}
	p.setLamp(st)
}

// setLamp records a contact's lamp (by its account and number) and reports a
// change.
func (p *Phone) setLamp(st api.BLFState) {
	k := contactKey{st.Account, st.Number}
	if old, ok := p.watches.blf[k]; ok && old == st {
		return
	}
	if st.Lamp == api.LampUnknown {
		delete(p.dialogs, k)
	}
	p.watches.blf[k] = st
	p.bus.Emit(api.EvBLF, st)
}
