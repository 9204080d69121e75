package phone

import (
	"context"
	"net"
	"strings"
	"unicode/utf8"

	"github.com/wpservice/wpservice/internal/account"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
)

// The instant messages (SIP MESSAGE): the engine stores each one, received or sent,
// whether or not a page is open, and keeps the count of unread ones for the
// snapshot. The store (internal/history) runs its writes on its own goroutine and
// reports each, with the unread count after it, through a done function that
// the phone posts to the actor, so the count the actor holds is always the
// store's latest. chatcmd.go answers the chat commands.

// ChatStore keeps the instant messages (internal/history's Store). The writes never
// block: done runs on the store's goroutine once the write is committed, in the
// order of the writes, with the unread count after it.
type ChatStore interface {
	AddMessage(m api.ChatMessage, done func(m api.ChatMessage, unread int, err error))
	SetMessageState(id int64, state string, code int, reason string, done func(api.ChatMessage, error))
	MarkRead(peer string, done func(marked int64, unread int, err error))
	DeleteMessages(id int64, peer string, done func(deleted int64, unread int, err error))
	UnreadMessages(done func(unread int, err error))
	ListMessages(ctx context.Context, a api.ChatListArgs) (api.ChatPage, error)
	Conversations(ctx context.Context, a api.ChatConversationsArgs) (api.Conversations, error)
}

// Messenger is the part of the SIP port that sends instant messages; the SIP port
// implements it when its stack speaks MESSAGE, as SIPAdapter does. SendMessage sends
// m and returns the final answer's status, or err when none came (a transport
// failure).
type Messenger interface {
	SendMessage(ctx context.Context, m OutMessage) (code int, reason string, err error)
}

// OutMessage is a MESSAGE to send: Text as plain text, or Envelope, a CPIM
// envelope (chatimdn.go), when not nil.
type OutMessage struct {
	Account  string // the SIP port's id of the account it goes from; "" the default
	Target   string // a URI from Target or TargetFrom
	Text     string
	Envelope []byte
}

// InMessage is a MESSAGE received, already answered 200.
type InMessage struct {
	Account  string // the SIP port's id of the account it came to; "" the default
	From     string // sender URI
	FromName string // display name, if any
	Text     string
	// Envelope is the CPIM envelope it came in, if any: around the text, or
	// around a delivery notification (chatimdn.go).
	Envelope *imdn.Envelope
}

// onMessage stores a message received and reports it once stored (chat.message,
// and chat.unread with the new count). Its text is never logged.
func (p *Phone) onMessage(in InMessage) {
	if in.Envelope != nil && in.Envelope.ContentType == imdn.NotificationType {
		p.onDeliveryNotification(in) // chatimdn.go
		return
	}
	if p.cfg.Chat == nil {
		p.log.Warn("message received and dropped: no message store", "from", in.From)
		p.refuseDelivery(in, imdn.Failed) // chatimdn.go
		return
	}
	if in.Account != "" && p.extra(in.Account) == nil {
		p.log.Info("message received and dropped: its account was removed", "from", in.From)
		p.refuseDelivery(in, imdn.Failed)
		return
	}
	m := api.ChatMessage{
		Direction: api.DirIncoming, Account: p.inAccountAOR(in), Peer: peerKey(in.From), PeerURI: in.From,
		PeerName: in.FromName, Time: p.now().UnixMilli(), Text: in.Text, State: api.ChatStateReceived,
	}
	p.log.Debug("message received", "from", in.From, "bytes", len(in.Text))
	p.cfg.Chat.AddMessage(m, func(m api.ChatMessage, unread int, err error) {
		p.post(func() {
			if err != nil {
				p.log.Error("store a message received", "from", m.PeerURI, "err", err)
				p.refuseDelivery(in, imdn.Failed)
				return
			}
			p.bus.Emit(api.EvChatMessage, m)
			p.setUnread(unread)
			p.answerDelivery(in) // chatimdn.go
			p.awaitDisplay(in)   // chatdisplay.go
		})
	})
}

// canChat reports that chat.send can send and keep a message: there is a message
// store and the SIP port speaks MESSAGE.
func (p *Phone) canChat() bool {
	_, ok := p.cfg.SIP.(Messenger)
	return ok && p.cfg.Chat != nil
}

// setUnread takes the store's count of unread messages and reports a change.
func (p *Phone) setUnread(n int) {
	if p.unreadKnown && n == p.unread {
		return
	}
	p.unread, p.unreadKnown = n, true
	p.bus.Emit(api.EvChatUnread, api.ChatUnread{Unread: n})
}

// askUnread reads the count of unread messages from the store the first time a
// snapshot is handed out, not at start: an engine no page watches opens no database.
// A store that cannot count is asked again by the next page.
func (p *Phone) askUnread() {
	if p.cfg.Chat == nil || p.unreadAsked {
		return
	}
	p.unreadAsked = true
	p.cfg.Chat.UnreadMessages(func(n int, err error) {
		if err != nil {
			p.log.Warn("count the unread messages", "err", err)
			p.post(func() { p.unreadAsked = p.unreadKnown })
			return
		}
		p.post(func() { p.setUnread(n) })
	})
}

// accountAOR is the default account's address of record, user@server; "" without one.
func (p *Phone) accountAOR() string {
	return aorOf(p.acc)
}

// inAccountAOR is the address of record of the account a message came to.
func (p *Phone) inAccountAOR(in InMessage) string {
	return aorOf(p.accountByID(p.accountID(in.Account)))
}

// aorOf is acc's address of record, user@server; "" when it is not configured.
func aorOf(acc account.Account) string {
	if !acc.Configured() {
		return ""
	}
	return acc.Username + "@" + acc.Server
}

// peerKey names the conversation with the peer at uri: the user and host of the
// URI, without scheme, port or parameters, the host in lower case.
func peerKey(uri string) string {
	s := uri
	if i := strings.IndexByte(s, ':'); i >= 0 && (strings.HasPrefix(strings.ToLower(s), "sip:") || strings.HasPrefix(strings.ToLower(s), "sips:")) {
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, ";?>"); i >= 0 {
		s = s[:i]
	}
	user, host, found := strings.Cut(s, "@")
	if !found {
		user, host = "", s
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if user == "" {
		return host
	}
	return user + "@" + host
}

// checkChatText validates chat.send's text.
func checkChatText(text string) error {
	switch {
	case text == "":
		return api.BadArg("text", "must not be empty")
	case len(text) > api.MaxChatText:
		return api.BadArg("text", "must be at most 4096 bytes of UTF-8")
	case !utf8.ValidString(text):
		return api.BadArg("text", "must be UTF-8")
	}
	return nil
}
