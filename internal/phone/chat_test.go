package phone

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// fakeChat is an in-memory ChatStore: each write's done runs at once, in order.
type fakeChat struct {
	mu         sync.Mutex
	msgs       []api.ChatMessage
	fail       error // every write's error
	countFails int   // UnreadMessages fails this many times first
	convArgs   []api.ChatConversationsArgs
}

func (c *fakeChat) unreadLocked() int {
	n := 0
	for _, m := range c.msgs {
		if !m.Read {
			n++
		}
	}
	return n
}

func (c *fakeChat) AddMessage(m api.ChatMessage, done func(api.ChatMessage, int, error)) {
	c.mu.Lock()
	if c.fail != nil {
		c.mu.Unlock()
		done(m, 0, c.fail)
		return
	}
	m.ID = int64(len(c.msgs) + 1)
	c.msgs = append(c.msgs, m)
	unread := c.unreadLocked()
	c.mu.Unlock()
	done(m, unread, nil)
}

func (c *fakeChat) SetMessageState(id int64, state string, code int, reason string, done func(api.ChatMessage, error)) {
	c.mu.Lock()
	m := &c.msgs[id-1]
	m.State, m.Code, m.Reason = state, code, reason
	got := *m
	c.mu.Unlock()
	done(got, nil)
}

func (c *fakeChat) MarkRead(peer string, done func(int64, int, error)) {
	c.mu.Lock()
	var n int64
	for i := range c.msgs {
		if c.msgs[i].Peer == peer && !c.msgs[i].Read {
			c.msgs[i].Read, n = true, n+1
		}
	}
	unread := c.unreadLocked()
	c.mu.Unlock()
	done(n, unread, nil)
}

func (c *fakeChat) DeleteMessages(id int64, peer string, done func(int64, int, error)) {
	c.mu.Lock()
	var kept []api.ChatMessage
	for _, m := range c.msgs {
		if m.ID != id && (peer == "" || m.Peer != peer) {
			kept = append(kept, m)
		}
	}
	n := int64(len(c.msgs) - len(kept))
	c.msgs = kept
	unread := c.unreadLocked()
	c.mu.Unlock()
	done(n, unread, nil)
}

func (c *fakeChat) UnreadMessages(done func(int, error)) {
	c.mu.Lock()
	if c.countFails > 0 {
		c.countFails--
		c.mu.Unlock()
		done(0, errors.New("disk gone"))
		return
	}
	n := c.unreadLocked()
	c.mu.Unlock()
	done(n, nil)
}

func (c *fakeChat) ListMessages(_ context.Context, a api.ChatListArgs) (api.ChatPage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	page := api.ChatPage{Messages: []api.ChatMessage{}}
	for _, m := range c.msgs {
		if (a.Peer == "" || m.Peer == a.Peer) && (a.Account == "" || m.Account == a.Account) {
			page.Messages = append(page.Messages, m)
		}
	}
	return page, nil
}

func (c *fakeChat) Conversations(_ context.Context, a api.ChatConversationsArgs) (api.Conversations, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.convArgs = append(c.convArgs, a)
	return api.Conversations{}, nil
}

func (c *fakeChat) stored() []api.ChatMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]api.ChatMessage(nil), c.msgs...)
}

// messagingSIP is the fake SIP port with a Messenger: it answers each MESSAGE with
// code, or err.
type messagingSIP struct {
	*fakeSIP
	mu   sync.Mutex
	code int
	err  error
	sent chan [2]string // target, text
}

func (m *messagingSIP) SendMessage(_ context.Context, out OutMessage) (int, string, error) {
	m.sent <- [2]string{out.Target, out.Text}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.code, "Answer", m.err
}

// chatRig is a rig whose SIP port sends messages, with a message store.
func chatRig(t *testing.T, code int, mod func(*Config)) (*rig, *messagingSIP, *fakeChat) {
	store := &fakeChat{}
	var msip *messagingSIP
	r := newRig(t, func(c *Config) {
		msip = &messagingSIP{fakeSIP: c.SIP.(*fakeSIP), code: code, sent: make(chan [2]string, 10)}
		c.SIP, c.Chat = msip, store
		if mod != nil {
			mod(c)
		}
	})
	return r, msip, store
}

// nextEvent waits for the next event named name, skipping others.
func (r *rig) nextEvent(name string) any {
	r.t.Helper()
	for {
		select {
		case ev := <-r.events:
			if ev.Event == name {
				return ev.Data
			}
		case <-time.After(2 * time.Second):
			r.t.Fatalf("no %s event", name)
			return nil
		}
	}
}

// chat.send stores the message, answers with its id, sends it to the target as
// call.dial would call it, and reports its delivery: delivered on a 2xx, failed
// with the code otherwise or the reason when no answer came.
func TestChatSendStoresSendsAndReportsDelivery(t *testing.T) {
	for _, tt := range []struct {
		name  string
		code  int
		err   error
		state string
	}{
		{"2xx", 202, nil, api.ChatStateDelivered},
		{"refused", 404, nil, api.ChatStateFailed},
		{"no answer", 0, errors.New("connection refused"), api.ChatStateFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, msip, store := chatRig(t, tt.code, nil)
			msip.err = tt.err
			const text = "Grüße 世界 👋"
			sent := r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: text}).(api.ChatSent)
			if sent.ID == 0 || sent.Peer != "bob@127.0.0.1" {
				t.Fatalf("chat.send answered %+v", sent)
			}
			if m := r.nextEvent(api.EvChatMessage).(api.ChatMessage); m.ID != sent.ID || m.Direction != api.DirOutgoing ||
				m.State != api.ChatStateSent || m.Text != text || m.Account != "alice@127.0.0.1:5060" || !m.Read {
				t.Fatalf("chat.message %+v", m)
			}
			if got := <-msip.sent; got != [2]string{"sip:bob@127.0.0.1:5060", text} {
				t.Fatalf("sent %q", got)
			}
			st := r.nextEvent(api.EvChatStatus).(api.ChatStatus)
			if st.ID != sent.ID || st.State != tt.state || st.Code != tt.code || tt.err != nil && st.Reason != tt.err.Error() {
				t.Fatalf("chat.status %+v, want %s %d", st, tt.state, tt.code)
			}
			if m := store.stored()[0]; m.State != tt.state || m.Code != tt.code {
				t.Errorf("stored %+v", m)
			}
		})
	}
}

// chat.send's arguments are checked before anything is stored or sent, each with
// a stable code.
func TestChatSendChecksItsArguments(t *testing.T) {
	r, msip, store := chatRig(t, 200, nil)
	for _, tt := range []struct {
		name string
		args api.ChatSendArgs
		code string
	}{
		{"no target", api.ChatSendArgs{Text: "hi"}, api.CodeInvalidArgs},
		{"a DTMF suffix", api.ChatSendArgs{To: "bob,123", Text: "hi"}, api.CodeInvalidArgs},
		{"a target breaking a header", api.ChatSendArgs{To: "bob\r\nX: y", Text: "hi"}, api.CodeInvalidArgs},
		{"no text", api.ChatSendArgs{To: "bob"}, api.CodeInvalidArgs},
		{"a text over the bound", api.ChatSendArgs{To: "bob", Text: strings.Repeat("é", api.MaxChatText/2+1)}, api.CodeInvalidArgs},
	} {
		if _, err := r.do(api.CmdChatSend.Name, &tt.args); apiCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if len(store.stored()) != 0 || len(msip.sent) != 0 {
		t.Fatalf("refused messages stored %v or sent %d", store.stored(), len(msip.sent))
	}
	if api.MaxChatText != sipstack.MaxMessageText {
		t.Errorf("chat.send takes %d bytes, the stack sends %d", api.MaxChatText, sipstack.MaxMessageText)
	}

	none := newRig(t, nil) // no store, and a SIP port that sends no MESSAGE
	if _, err := none.do(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "hi"}); !errors.Is(err, ErrNoChat) || apiCode(err) != api.CodeUnavailable {
		t.Errorf("chat.send without a store: %v, want unavailable", err)
	}
	if _, err := none.do(api.CmdChatConversations.Name, nil); !errors.Is(err, ErrNoChat) {
		t.Errorf("chat.conversations without a store: %v", err)
	}

	store.fail = errors.Join(errors.New("disk full"), ErrStorage)
	if _, err := r.do(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "hi"}); apiCode(err) != api.CodeUnavailable || len(msip.sent) != 0 {
		t.Errorf("a store that cannot write: %v, %d sent; want unavailable and nothing sent", err, len(msip.sent))
	}
}

// A message received is stored and reported whether or not a page is open, and
// the unread count follows it into the snapshot; chat.read and chat.delete bring it
// down.
func TestChatReceivedIsStoredAndCounted(t *testing.T) {
	r, _, store := chatRig(t, 200, nil)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5080;transport=udp", FromUser: "bob", FromName: "Bob", Text: "Привет"})
	m := r.nextEvent(api.EvChatMessage).(api.ChatMessage)
	if m.Direction != api.DirIncoming || m.Peer != "bob@127.0.0.1" || m.PeerName != "Bob" || m.Text != "Привет" ||
		m.State != api.ChatStateReceived || m.Read || m.Time != r.now.UnixMilli() {
		t.Fatalf("chat.message %+v", m)
	}
	if u := r.nextEvent(api.EvChatUnread).(api.ChatUnread); u.Unread != 1 {
		t.Fatalf("chat.unread %+v, want 1", u)
	}
	if s := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); s.UnreadMessages != 1 {
		t.Fatalf("snapshot unread %d, want 1", s.UnreadMessages)
	}
	if len(store.stored()) != 1 {
		t.Fatalf("stored %v", store.stored())
	}

	page := r.mustDo(api.CmdChatList.Name, &api.ChatListArgs{Peer: "bob@127.0.0.1"}).(api.ChatPage)
	if len(page.Messages) != 1 {
		t.Fatalf("chat.list by the peer's key: %+v", page)
	}
	changed := r.mustDo(api.CmdChatRead.Name, &api.ChatPeerArgs{Peer: "bob"}).(api.ChatChanged) // a user, as chat.send takes
	if changed.Changed != 1 || changed.Unread != 0 {
		t.Fatalf("chat.read %+v", changed)
	}
	if u := r.nextEvent(api.EvChatUnread).(api.ChatUnread); u.Unread != 0 {
		t.Fatalf("chat.unread %+v, want 0", u)
	}
	if s := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); s.UnreadMessages != 0 {
		t.Fatalf("snapshot unread %d after chat.read", s.UnreadMessages)
	}

	for name, args := range map[string]api.ChatDeleteArgs{"neither": {}, "both": {ID: 1, Peer: "bob"}, "a negative id": {ID: -1}} {
		if _, err := r.do(api.CmdChatDelete.Name, &args); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("chat.delete with %s: %v, want invalid_args", name, err)
		}
	}
	if _, err := r.do(api.CmdChatRead.Name, &api.ChatPeerArgs{}); apiCode(err) != api.CodeInvalidArgs {
		t.Errorf("chat.read without a peer: %v", err)
	}
	if got := r.mustDo(api.CmdChatDelete.Name, &api.ChatDeleteArgs{Peer: "sip:bob@127.0.0.1"}).(api.ChatChanged); got.Changed != 1 {
		t.Fatalf("chat.delete of the conversation: %+v", got)
	}
}

// The unread count is asked of the store for the first snapshot a page gets, and
// the page hears it.
func TestChatUnreadCountComesToTheFirstWatcher(t *testing.T) {
	store := &fakeChat{msgs: []api.ChatMessage{{ID: 1, Peer: "bob@x"}, {ID: 2, Peer: "bob@x"}, {ID: 3, Peer: "bob@x", Read: true}}}
	r := newRig(t, func(c *Config) { c.Chat = store })
	if u := r.nextEvent(api.EvChatUnread).(api.ChatUnread); u.Unread != 2 {
		t.Fatalf("chat.unread %+v, want 2", u)
	}
	if s := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); s.UnreadMessages != 2 {
		t.Fatalf("snapshot unread %d, want 2", s.UnreadMessages)
	}
}

// A store that could not count the unread messages for the first page is asked
// again for the next one.
func TestChatUnreadCountAskedAgainAfterAFailure(t *testing.T) {
	store := &fakeChat{msgs: []api.ChatMessage{{ID: 1, Peer: "bob@x"}}, countFails: 1}
	r := newRig(t, func(c *Config) { c.Chat = store })
	r.sync() // the failure is in
	events := make(chan api.Event, 10)
	_, cancel := r.p.Watch(func(ev api.Event) { events <- ev })
	defer cancel()
	for {
		select {
		case ev := <-events:
			if ev.Event == api.EvChatUnread {
				if u := ev.Data.(api.ChatUnread); u.Unread != 1 {
					t.Fatalf("chat.unread %+v, want 1", u)
				}
				return
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the second page heard no chat.unread")
		}
	}
}

// A message's text does not reach the log at info level, either way.
func TestChatTextIsNotLogged(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(b)
	}), &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, msip, _ := chatRig(t, 500, func(c *Config) { c.Logger = log })
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "top secret outgoing"})
	<-msip.sent
	r.nextEvent(api.EvChatStatus)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1", Text: "top secret incoming"})
	r.nextEvent(api.EvChatMessage)
	r.sync()
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(buf.String(), "top secret") || !strings.Contains(buf.String(), "message sent") {
		t.Fatalf("the log:\n%s", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// peerKey names a conversation the same however its peer's URI came.
func TestPeerKey(t *testing.T) {
	for in, want := range map[string]string{
		"sip:bob@PBX.example.com:5060;transport=tcp": "bob@pbx.example.com",
		"sips:bob@pbx.example.com":                   "bob@pbx.example.com",
		"<sip:bob@[::1]:5080>":                       "bob@::1",
		"sip:pbx.example.com":                        "pbx.example.com",
		"bob@pbx.example.com":                        "bob@pbx.example.com",
	} {
		if got := peerKey(strings.Trim(in, "<")); got != want {
			t.Errorf("peerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// The snapshot says whether the engine chats: only with a message store and a SIP
// port that sends MESSAGE.
func TestSnapshotSaysWhetherTheEngineChats(t *testing.T) {
	r, _, _ := chatRig(t, 200, nil)
	if s := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); !s.Chat {
		t.Error("snapshot with a store and a messenger: chat false")
	}
	noStore := newRig(t, func(c *Config) { c.SIP = &messagingSIP{fakeSIP: c.SIP.(*fakeSIP)} })
	noSender := newRig(t, func(c *Config) { c.Chat = &fakeChat{} })
	for name, r := range map[string]*rig{"no store": noStore, "no messenger": noSender} {
		if s := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); s.Chat {
			t.Errorf("snapshot with %s: chat true", name)
		}
	}
}
