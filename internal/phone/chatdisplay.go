package phone

import "github.com/wpservice/wpservice/internal/imdn"

// Display notifications (IMDN, RFC 5438 section 7.2.1.2): read receipts. With the
// imdnDisplay setting on, our messages ask for one beside their delivery
// notifications, and a message received asking for one is answered with one,
// displayed, once the page marks its conversation read (chat.read): the user was
// shown it. With the setting off none is sent, which the RFC allows (a recipient
// may keep its reading to itself). The requests wait in memory, the last
// maxDisplayWaits of each conversation: a message received before a restart gets
// none.

// maxDisplayWaits bounds the display requests kept per conversation.
const maxDisplayWaits = 64

// displayWaits are the received messages whose display notification waits for
// their conversation to be marked read, by conversation (peerKey). The actor owns it.
type displayWaits map[string][]InMessage

// awaitDisplay keeps in, a message just stored, until its conversation is read,
// when it asks for a display notification and the setting sends them. Only the
// actor calls it.
func (p *Phone) awaitDisplay(in InMessage) {
	if !p.settings.IMDNDisplay || in.Envelope == nil || !in.Envelope.Asks(imdn.DisplayRequest) || in.Envelope.MessageID == "" {
		return
	}
	if p.displays == nil {
		p.displays = displayWaits{}
	}
	peer := peerKey(in.From)
	waits := append(p.displays[peer], in)
	if len(waits) > maxDisplayWaits {
		waits = waits[len(waits)-maxDisplayWaits:]
	}
	p.displays[peer] = waits
}

// sendDisplayed sends the display notifications the messages of the conversation
// with peer, now read, asked for. Only the actor calls it.
func (p *Phone) sendDisplayed(peer string) {
	waits := p.displays[peer]
	delete(p.displays, peer)
	if !p.settings.IMDNDisplay {
		return // turned off since: the user no longer sends read receipts
	}
	for _, in := range waits {
		p.sendNotification(in, imdn.Displayed) // chatimdn.go
	}
}
