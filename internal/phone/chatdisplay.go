package phone

import (
	"slices"

	"github.com/wpservice/wpservice/internal/imdn"
)

// Display notifications (IMDN, RFC 5438 section 7.2.1.2): read receipts. With the
// imdnDisplay setting on, our messages ask for one beside their delivery
// notifications, and a message received asking for one is answered with one,
// displayed, once the page marks its conversation read (chat.read): the user was
// shown it. With the setting off none is sent, which the RFC allows (a recipient
// may keep its reading to itself). The requests wait in memory, the last
// maxDisplayWaits of each conversation: a message received before a restart gets
// none.

// maxDisplayWaits bounds the display requests kept per conversation, and
// maxDisplayPeers the conversations kept: anyone who can send us a message asks
// for one, so what waits is bounded, the oldest conversation dropped first.
const (
	maxDisplayWaits = 64
	maxDisplayPeers = 256
)

// displayWaits are the received messages whose display notification waits for
// their conversation to be marked read, by conversation (peerKey), and the
// conversations in the order they first asked. Each keeps what a notification
// needs, not the text. The actor owns it.
type displayWaits struct {
	byPeer map[string][]InMessage
	order  []string
}

// awaitDisplay keeps in, a message just stored, until its conversation is read,
// when it asks for a display notification and the setting sends them. Only the
// actor calls it.
func (p *Phone) awaitDisplay(in InMessage) {
	if !p.settings.IMDNDisplay || in.Envelope == nil || !in.Envelope.Asks(imdn.DisplayRequest) || in.Envelope.MessageID == "" {
		return
	}
	w := &p.displays
	if w.byPeer == nil {
		w.byPeer = map[string][]InMessage{}
	}
	peer := peerKey(in.From)
	if _, ok := w.byPeer[peer]; !ok {
		if len(w.order) == maxDisplayPeers {
			delete(w.byPeer, w.order[0])
			w.order = w.order[1:]
		}
		w.order = append(w.order, peer)
	}
	env := *in.Envelope
	env.Body = nil // a notification names the message; it does not carry it
	in.Text, in.Envelope = "", &env
	waits := append(w.byPeer[peer], in)
	if len(waits) > maxDisplayWaits {
		waits = waits[len(waits)-maxDisplayWaits:]
	}
	w.byPeer[peer] = waits
}

// forget drops the display requests of the conversation with peer and returns them.
func (w *displayWaits) forget(peer string) []InMessage {
	waits, ok := w.byPeer[peer]
	if ok {
		delete(w.byPeer, peer)
		w.order = slices.DeleteFunc(w.order, func(p string) bool { return p == peer })
	}
	return waits
}

// sendDisplayed sends the display notifications the messages of the conversation
// with peer, now read, asked for. Only the actor calls it.
func (p *Phone) sendDisplayed(peer string) {
	waits := p.displays.forget(peer)
	if !p.settings.IMDNDisplay {
		return // turned off since: the user no longer sends read receipts
	}
	for _, in := range waits {
		p.sendNotification(in, imdn.Displayed) // chatimdn.go
	}
}
