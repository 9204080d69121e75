package presence

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// DialogInfo is a dialog-info document (RFC 4235): the dialogs of its entity.
type DialogInfo struct {
	Entity  string
	Version int
	Full    bool // state="full": the list replaces what was known; else a partial update
	Dialogs []Dialog
}

// Dialog is one dialog of the watched entity.
type Dialog struct {
	ID        string
	CallID    string
	LocalTag  string
	RemoteTag string
	Direction string // "initiator" (the entity called), "recipient" or ""
	State     string // trying, proceeding, early, confirmed, terminated
	Remote    string // the other party's identity, a URI
	Held      bool   // the entity's target says +sip.rendering=no: it holds the call
}

// maxDialogs bounds the dialogs read from one document.
const maxDialogs = 64

// dialogStates are the states RFC 4235 section 3.7.1 defines.
var dialogStates = map[string]bool{"trying": true, "proceeding": true, "early": true, "confirmed": true, "terminated": true}

// ParseDialogInfo reads an application/dialog-info+xml document.
func ParseDialogInfo(body []byte) (DialogInfo, error) {
	var info DialogInfo
	var stack []string
	var cur *Dialog
	rootSeen := false
	err := walkXML(body, func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			switch {
			case len(stack) == 0:
				if name != "dialog-info" || rootSeen {
					return fmt.Errorf("%w: dialog-info root %q", ErrMalformed, name)
				}
				rootSeen = true
				info.Entity = attr(t, "entity")
				info.Full = attr(t, "state") == "full"
				v, err := strconv.Atoi(attr(t, "version"))
				if err != nil || v < 0 {
					return fmt.Errorf("%w: dialog-info version %q", ErrMalformed, attr(t, "version"))
				}
				info.Version = v
			case len(stack) == 1 && name == "dialog":
				if len(info.Dialogs) == maxDialogs {
					return fmt.Errorf("%w: more than %d dialogs", ErrMalformed, maxDialogs)
				}
				info.Dialogs = append(info.Dialogs, Dialog{ID: attr(t, "id"), CallID: attr(t, "call-id"),
					LocalTag: attr(t, "local-tag"), RemoteTag: attr(t, "remote-tag"), Direction: attr(t, "direction")})
				cur = &info.Dialogs[len(info.Dialogs)-1]
			case cur != nil && name == "param" && under(stack, "local", "target"):
				if strings.EqualFold(attr(t, "pname"), "+sip.rendering") && strings.EqualFold(attr(t, "pvalue"), "no") {
					cur.Held = true
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				cur = nil
			}
		case xml.CharData:
			if cur == nil || len(stack) == 0 {
				return nil
			}
			text := strings.TrimSpace(string(t))
			switch {
			case stack[len(stack)-1] == "state" && len(stack) == 3:
				cur.State = strings.ToLower(text)
			case stack[len(stack)-1] == "identity" && under(stack, "remote"):
				cur.Remote = text
			}
		}
		return nil
	})
	if err != nil {
		return DialogInfo{}, err
	}
	if !rootSeen {
		return DialogInfo{}, fmt.Errorf("%w: no dialog-info element", ErrMalformed)
	}
	for _, d := range info.Dialogs {
		if !dialogStates[d.State] {
			return DialogInfo{}, fmt.Errorf("%w: dialog %q in state %q", ErrMalformed, d.ID, d.State)
		}
	}
	return info, nil
}

// under reports whether the open elements include each of names, in order.
func under(stack []string, names ...string) bool {
	i := 0
	for _, s := range stack {
		if i < len(names) && s == names[i] {
			i++
		}
	}
	return i == len(names)
}

// The busy lamp of a watched extension.
const (
	LampIdle    = "idle"    // no dialog
	LampRinging = "ringing" // a dialog trying, proceeding or early
	LampBusy    = "busy"    // a confirmed dialog
	LampHold    = "hold"    // every confirmed dialog held
)

// Lamp is the busy lamp of the dialogs of one entity, and the dialog that decides
// it (nil when idle): a confirmed dialog before a ringing one, an unheld one before
// a held one.
func Lamp(dialogs []Dialog) (string, *Dialog) {
	lamp, rank := LampIdle, 0
	var which *Dialog
	for i := range dialogs {
		d := &dialogs[i]
		l, r := LampIdle, 0
		switch {
		case d.State == "confirmed" && !d.Held:
			l, r = LampBusy, 3
		case d.State == "confirmed":
			l, r = LampHold, 2
		case d.State == "trying" || d.State == "proceeding" || d.State == "early":
			l, r = LampRinging, 1
		}
		if r > rank {
			lamp, rank, which = l, r, d
		}
	}
	return lamp, which
}
