package api

// Instant messages (SIP MESSAGE, RFC 3428), kept by the engine whether or not a
// page is open: chat.send sends one, chat.list pages through a conversation,
// chat.conversations lists them, chat.read marks one read, chat.delete removes
// messages. chat.message reports each message once stored, either way;
// chat.status the delivery of ours; chat.unread the count of unread messages,
// which the snapshot carries too.

// Delivery states of a ChatMessage.
const (
	ChatStateReceived  = "received"  // theirs
	ChatStateSent      = "sent"      // ours, on its way: no final answer yet
	ChatStateDelivered = "delivered" // ours, answered 2xx
	ChatStateFailed    = "failed"    // ours, refused (Code) or never answered
	ChatStateDisplayed = "displayed" // ours, shown to its recipient (an IMDN display notification)
)

// MaxChatText is the longest text chat.send takes, in bytes of UTF-8.
const MaxChatText = 4096

// ChatMessage is one message, either way.
type ChatMessage struct {
	ID        int64  `json:"id"`
	Direction string `json:"direction"` // incoming | outgoing
	Account   string `json:"account"`   // the account's address of record (user@server) it came to or went from
	Peer      string `json:"peer"`      // the conversation: user@host of the peer's URI
	PeerURI   string `json:"peerUri"`   // the peer's URI, as it came or as dialled
	PeerName  string `json:"peerName,omitempty"`
	Time      int64  `json:"time"` // unix ms: when it was received or sent
	Text      string `json:"text"`
	State     string `json:"state"`            // ChatStateReceived, ChatStateSent, ChatStateDelivered, ChatStateDisplayed or ChatStateFailed
	Code      int    `json:"code,omitempty"`   // the final SIP status of ours, once answered
	Reason    string `json:"reason,omitempty"` // its reason phrase, or why none came
	Read      bool   `json:"read"`             // incoming: chat.read marked it; outgoing: always
}

// ChatSendArgs sends Text to To, a number, a user or a SIP URI as call.dial's To
// (without a DTMF suffix). Text is 1 to MaxChatText bytes of UTF-8.
type ChatSendArgs struct {
	To   string `json:"to"`
	Text string `json:"text"`
	// Account is the id of the account it goes from (accounts.list); absent: the default.
	Account string `json:"account,omitempty"`
}

// ChatSent names the message chat.send stored and is sending.
type ChatSent struct {
	ID   int64  `json:"id"`
	Peer string `json:"peer"`
}

// ChatListArgs pages through messages, newest first: those of one conversation
// with Peer (a Peer of chat.conversations, or a number, user or URI as chat.send
// takes), or of all. Limit is 1..500 (0: 50); Before is the Next of the previous
// page (0: from the newest). Account, when set, keeps only the messages of the
// account with that id (accounts.list).
type ChatListArgs struct {
	Peer    string `json:"peer,omitempty"`
	Before  int64  `json:"before,omitempty"`
	Limit   int    `json:"limit,omitempty"`
	Account string `json:"account,omitempty"`
}

// ChatConversationsArgs lists the conversations: of every account, or with
// Account of the account with that id only.
type ChatConversationsArgs struct {
	Account string `json:"account,omitempty"`
}

// ChatPage is one page of messages, newest first. Next, when not 0, is the Before
// of the next page.
type ChatPage struct {
	Messages []ChatMessage `json:"messages"`
	Next     int64         `json:"next,omitempty"`
}

// Conversation is the messages with one peer: the last of them and how many of
// theirs are unread.
type Conversation struct {
	Peer   string      `json:"peer"`
	Last   ChatMessage `json:"last"`
	Unread int         `json:"unread"`
}

// Conversations lists every conversation, the latest first, and the unread
// messages of all.
type Conversations struct {
	Conversations []Conversation `json:"conversations"`
	Unread        int            `json:"unread"`
}

// ChatPeerArgs names a conversation (as ChatListArgs.Peer).
type ChatPeerArgs struct {
	Peer string `json:"peer"`
}

// ChatDeleteArgs deletes one message (ID) or a whole conversation (Peer): one of
// the two.
type ChatDeleteArgs struct {
	ID   int64  `json:"id,omitempty"`
	Peer string `json:"peer,omitempty"`
}

// ChatChanged says how many messages chat.read marked or chat.delete removed, and
// how many are unread now.
type ChatChanged struct {
	Changed int64 `json:"changed"`
	Unread  int   `json:"unread"`
}

// ChatStatus reports the delivery of a message of ours (chat.status).
type ChatStatus struct {
	ID     int64  `json:"id"`
	Peer   string `json:"peer"`
	State  string `json:"state"` // ChatStateDelivered, ChatStateDisplayed or ChatStateFailed
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ChatUnread reports the number of unread messages (chat.unread), after a message
// came or chat.read or chat.delete changed it.
type ChatUnread struct {
	Unread int `json:"unread"`
}
