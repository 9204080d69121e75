package phone

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
)

// Delivery notifications (IMDN, RFC 5438). With the imdn setting on, each message
// we send goes in a CPIM envelope (RFC 3862) that asks for a positive and a
// negative delivery notification (and a display one with imdnDisplay:
// chatdisplay.go); its 2xx then says only that the server took it, and the message
// stays sent until the recipient's notification says delivered, or failed with
// the notification's status (failed, forbidden, error) as its reason. A message
// received in an envelope that asks for one is answered with a delivery
// notification once stored, whatever the setting: the peer said it reads them; one
// we cannot keep (no message store, the store failed, or the account it came to
// was removed as it came) with a negative one, failed, when it asked for that.
//
// The envelope's imdn.Message-ID names the stored message, "id.time.random", so
// that a notification finds it again without a column of its own: the id and
// send time must match one of ours in the conversation with the notifier, sent
// from the account the notification came to. Our notifications go from the
// account the message they answer came to.

// imdnMessageID names our stored message m in its envelope.
func imdnMessageID(m api.ChatMessage) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(m.ID, 10) + "." + strconv.FormatInt(m.Time, 10) + "." + hex.EncodeToString(b[:])
}

// parseIMDNMessageID is the id and time of our message an imdnMessageID names.
func parseIMDNMessageID(s string) (id, at int64, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return 0, 0, false
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	return id, at, err1 == nil && err2 == nil && id > 0
}

// ourEnvelope is the envelope of our message m, asking for its delivery, either
// way, and with display for its display too.
func ourEnvelope(m api.ChatMessage, display bool) []byte {
	from := "sip:anonymous@anonymous.invalid"
	if m.Account != "" {
		from = "sip:" + m.Account
	}
	notify := []string{imdn.DeliveryRequest, imdn.NegativeDeliveryRequest}
	if display {
		notify = append(notify, imdn.DisplayRequest)
	}
	return imdn.Envelope{
		From: from, To: m.PeerURI, DateTime: time.UnixMilli(m.Time), MessageID: imdnMessageID(m),
		Notify: notify, ContentType: imdn.TextType, Body: []byte(m.Text),
	}.Marshal()
}

// answerDelivery sends the delivered notification a received message's envelope
// asked for. Only the actor calls it.
func (p *Phone) answerDelivery(in InMessage) {
	if in.Envelope != nil && in.Envelope.Asks(imdn.DeliveryRequest) {
		p.sendNotification(in, imdn.Delivered)
	}
}

// refuseDelivery sends the negative delivery notification, status, that a message
// we could not keep asked for. Only the actor calls it.
func (p *Phone) refuseDelivery(in InMessage, status string) {
	if in.Envelope != nil && in.Envelope.Asks(imdn.NegativeDeliveryRequest) {
		p.sendNotification(in, status)
	}
}

// sendNotification sends the notification of in, a received message whose
// envelope names it, saying status, from the account it came to, on a worker.
// Only the actor calls it.
func (p *Phone) sendNotification(in InMessage, status string) {
	messenger, ok := p.cfg.SIP.(Messenger)
	if !ok || in.Envelope == nil || in.Envelope.MessageID == "" {
		return
	}
	us := "sip:anonymous@anonymous.invalid"
	if aor := p.inAccountAOR(in); aor != "" {
		us = "sip:" + aor
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	reply := imdn.Reply(*in.Envelope, us, "n."+hex.EncodeToString(b[:]), status, p.now()).Marshal()
	p.goWork(func(ctx context.Context) {
		code, reason, err := messenger.SendMessage(ctx, OutMessage{Account: in.Account, Target: in.From, Envelope: reply})
		if err != nil || code >= 300 {
			p.log.Info("notification not taken", "to", in.From, "status", status, "code", code, "reason", reason, "err", err)
		}
	})
}

// onDeliveryNotification records what a notification says of one of our
// messages, once it has found the message in the conversation with the notifier,
// and reports it (chat.status). Only the actor calls it.
func (p *Phone) onDeliveryNotification(in InMessage) {
	n, err := imdn.ParseNotification(in.Envelope.Body)
	id, at, ok := parseIMDNMessageID(n.MessageID)
	if err != nil || !ok || p.cfg.Chat == nil {
		p.log.Info("delivery notification for no message of ours", "from", in.From)
		return
	}
	state, reason := api.ChatStateDelivered, ""
	switch n.Status {
	case imdn.Delivered:
	case imdn.Displayed:
		state = api.ChatStateDisplayed
	default:
		state, reason = api.ChatStateFailed, "delivery notification: "+n.Status
	}
	peer, account, store := peerKey(in.From), p.inAccountAOR(in), p.cfg.Chat
	p.goWork(func(ctx context.Context) {
		m, found := findOurMessage(ctx, store, account, peer, id, at)
		if !found {
			p.log.Info("delivery notification for no message of ours", "from", in.From, "id", id)
			return
		}
		if !supersedes(state, m.State) {
			return
		}
		store.SetMessageState(m.ID, state, m.Code, reason, func(_ api.ChatMessage, err error) {
			if err != nil {
				p.log.Warn("record a message's delivery", "id", m.ID, "err", err)
			}
			p.post(func() {
				p.bus.Emit(api.EvChatStatus, api.ChatStatus{ID: m.ID, Peer: m.Peer, State: state, Code: m.Code, Reason: reason})
			})
		})
	})
}

// findOurMessage is our message id, sent at the unix ms at from the account whose
// address of record is account, in the conversation with peer.
func findOurMessage(ctx context.Context, store ChatStore, account, peer string, id, at int64) (api.ChatMessage, bool) {
	page, err := store.ListMessages(ctx, api.ChatListArgs{Peer: peer, Account: account, Before: id + 1, Limit: 1})
	if err != nil {
		return api.ChatMessage{}, false
	}
	for _, m := range page.Messages {
		if m.ID == id && m.Time == at && m.Direction == api.DirOutgoing {
			return m, true
		}
	}
	return api.ChatMessage{}, false
}

// supersedes reports whether a notification's state may replace a message's state
// now: a delivery notification overtaken by the display one says nothing new.
func supersedes(next, now string) bool {
	return next != api.ChatStateDelivered || now != api.ChatStateDisplayed
}
