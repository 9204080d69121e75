package phone

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// receiveAsking hands r's phone bob's message "hi" in an envelope with id, asking
// for the notifications notify.
func receiveAsking(r *rig, id string, notify ...string) {
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	in := imdn.Envelope{From: "sip:bob@127.0.0.1", MessageID: id, Notify: notify,
		DateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ContentType: "text/plain", Body: []byte("hi")}
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5080", Text: "hi", Envelope: &in})
}

// nextReceived waits for the chat.message of a message received, skipping those of
// ours.
func (r *rig) nextReceived() {
	r.t.Helper()
	for r.nextEvent(api.EvChatMessage).(api.ChatMessage).Direction != api.DirIncoming {
	}
}

// notification is the notification the port sent next: its status and the message
// it names, a delivery notification's or a display notification's.
func (c *cpimSIP) notification(t *testing.T) imdn.Notification {
	t.Helper()
	_, env := c.nextEnvelope(t)
	if env.ContentType != imdn.NotificationType {
		t.Fatalf("sent %+v, want a notification", env)
	}
	if n, err := imdn.ParseNotification(env.Body); err == nil {
		return n
	}
	body := string(env.Body)
	_, rest, _ := strings.Cut(body, "<message-id>")
	id, _, _ := strings.Cut(rest, "</message-id>")
	if !strings.Contains(body, "<display-notification><status><displayed/></status></display-notification>") {
		t.Fatalf("notification neither delivery nor display:\n%s", body)
	}
	return imdn.Notification{MessageID: id, Status: imdn.Displayed}
}

// With imdnDisplay on, our messages ask for a display notification, and a message
// received asking for one gets it, displayed, once chat.read marks its
// conversation read, and only then: after its delivered notification, once.
func TestChatDisplayNotificationWhenRead(t *testing.T) {
	r, port, _ := imdnRig(t, true)
	on := true
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{IMDNDisplay: &on})
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "read me"})
	if _, env := port.nextEnvelope(t); !env.Asks(imdn.DisplayRequest) || !env.Asks(imdn.DeliveryRequest) || !env.Asks(imdn.NegativeDeliveryRequest) {
		t.Fatalf("our envelope asks %v, want delivery either way and display", env.Notify)
	}

	receiveAsking(r, "theirs-1", imdn.DeliveryRequest, imdn.DisplayRequest)
	r.nextReceived()
	if n := port.notification(t); n.Status != imdn.Delivered || n.MessageID != "theirs-1" {
		t.Fatalf("first notification %+v, want theirs-1 delivered", n)
	}
	if n := r.displayWaits(); n != 1 {
		t.Fatalf("%d display notifications wait for the conversation to be read, want 1", n)
	}
	r.mustDo(api.CmdChatRead.Name, &api.ChatPeerArgs{Peer: "sip:bob@127.0.0.1"})
	if n := port.notification(t); n.Status != imdn.Displayed || n.MessageID != "theirs-1" {
		t.Fatalf("after chat.read: %+v, want theirs-1 displayed", n)
	}
	if n := r.displayWaits(); n != 0 {
		t.Fatalf("%d display notifications still wait once sent", n)
	}
}

// displayWaits counts the received messages whose display notification waits.
func (r *rig) displayWaits() int {
	n := make(chan int, 1)
	r.p.post(func() {
		total := 0
		for _, w := range r.p.displays.byPeer {
			total += len(w)
		}
		n <- total
	})
	return <-n
}

// With imdnDisplay off (the default), our messages ask for no display
// notification, and a message asking for one waits for none.
func TestChatNoDisplayNotificationByDefault(t *testing.T) {
	r, port, _ := imdnRig(t, true)
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "read me"})
	if _, env := port.nextEnvelope(t); env.Asks(imdn.DisplayRequest) || !env.Asks(imdn.NegativeDeliveryRequest) {
		t.Fatalf("our envelope asks %v, want delivery either way, no display", env.Notify)
	}
	receiveAsking(r, "theirs-1", imdn.DisplayRequest)
	r.nextReceived()
	if n := r.displayWaits(); n != 0 {
		t.Fatalf("%d display notifications wait with imdnDisplay off, want none", n)
	}
}

// A message we cannot keep, the store failing, is answered with a negative delivery
// notification, failed, when it asked for one, and with nothing when it did not.
func TestChatNegativeDeliveryNotificationSent(t *testing.T) {
	r, port, store := imdnRig(t, false)
	store.mu.Lock()
	store.fail = errors.New("disk full")
	store.mu.Unlock()
	receiveAsking(r, "theirs-1", imdn.DeliveryRequest)
	r.sync()
	receiveAsking(r, "theirs-2", imdn.DeliveryRequest, imdn.NegativeDeliveryRequest)
	if n := port.notification(t); n.Status != imdn.Failed || n.MessageID != "theirs-2" {
		t.Fatalf("notification %+v, want theirs-2 failed (and none for theirs-1, which asked for none)", n)
	}
}

// A message to an account removed as it came is not kept under another: it is
// answered with a negative delivery notification, failed.
func TestChatMessageToARemovedAccountIsRefused(t *testing.T) {
	r, port, store := imdnRig(t, false)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	in := imdn.Envelope{From: "sip:bob@127.0.0.1", MessageID: "theirs-1", Notify: []string{imdn.NegativeDeliveryRequest},
		ContentType: "text/plain", Body: []byte("hi")}
	adapter.HandleEvent(sipstack.Message{Account: "gone", From: "sip:bob@127.0.0.1:5080", Text: "hi", Envelope: &in})
	if n := port.notification(t); n.Status != imdn.Failed || n.MessageID != "theirs-1" {
		t.Fatalf("notification %+v, want theirs-1 failed", n)
	}
	if got := store.stored(); len(got) != 0 {
		t.Fatalf("kept %+v", got)
	}
}

// A negative delivery notification of one of our messages makes it failed, its
// status the reason.
func TestChatNegativeDeliveryNotificationReceived(t *testing.T) {
	r, port, store := imdnRig(t, true)
	sent := r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "Grüße"}).(api.ChatSent)
	_, env := port.nextEnvelope(t)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	note := imdn.Reply(imdn.Envelope{From: env.From, MessageID: env.MessageID, DateTime: env.DateTime}, "sip:bob@127.0.0.1", "n", imdn.Forbidden, time.Now())
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5060", Envelope: &note})
	st := r.nextEvent(api.EvChatStatus).(api.ChatStatus)
	if st.ID != sent.ID || st.State != api.ChatStateFailed || st.Reason != "delivery notification: forbidden" {
		t.Fatalf("chat.status %+v, want %d failed: forbidden", st, sent.ID)
	}
	if m := store.stored()[0]; m.State != api.ChatStateFailed {
		t.Fatalf("stored %+v", m)
	}
}

// The peer's display notification marks our message displayed (chat.status); a
// delivery notification arriving after it does not take that back (supersedes).
func TestChatDisplayNotificationReceived(t *testing.T) {
	r, port, store := imdnRig(t, true)
	sent := r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "Grüße"}).(api.ChatSent)
	_, env := port.nextEnvelope(t)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	ours := imdn.Envelope{From: env.From, MessageID: env.MessageID, DateTime: env.DateTime}
	shown := imdn.Reply(ours, "sip:bob@127.0.0.1", "n1", imdn.Displayed, time.Now())
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5060", Envelope: &shown})
	if st := r.nextEvent(api.EvChatStatus).(api.ChatStatus); st.ID != sent.ID || st.State != api.ChatStateDisplayed {
		t.Fatalf("chat.status %+v, want %d displayed", st, sent.ID)
	}
	if m := store.stored()[0]; m.State != api.ChatStateDisplayed {
		t.Fatalf("stored %+v, want displayed", m)
	}
	for _, c := range []struct {
		next, now string
		want      bool
	}{
		{api.ChatStateDelivered, api.ChatStateDisplayed, false},
		{api.ChatStateDelivered, api.ChatStateSent, true},
		{api.ChatStateDisplayed, api.ChatStateDelivered, true},
		{api.ChatStateFailed, api.ChatStateDisplayed, true},
	} {
		if got := supersedes(c.next, c.now); got != c.want {
			t.Errorf("supersedes(%s, %s) = %v", c.next, c.now, got)
		}
	}
}

// What waits for display notifications is bounded whoever sends: the oldest
// conversation goes first, and a waiting request keeps no text.
func TestDisplayWaitsAreBounded(t *testing.T) {
	p := &Phone{}
	p.settings.IMDNDisplay = true
	for i := range maxDisplayPeers + 10 {
		from := fmt.Sprintf("sip:u%d@example.com", i)
		p.awaitDisplay(InMessage{From: from, Text: "hello", Envelope: &imdn.Envelope{
			From: from, MessageID: fmt.Sprint("m", i), Notify: []string{imdn.DisplayRequest}, Body: []byte("hello")}})
	}
	w := p.displays
	if len(w.byPeer) != maxDisplayPeers || len(w.order) != maxDisplayPeers {
		t.Fatalf("%d conversations wait (%d in order), want %d", len(w.byPeer), len(w.order), maxDisplayPeers)
	}
	if _, ok := w.byPeer[peerKey("sip:u0@example.com")]; ok {
		t.Error("the oldest conversation was kept, a newer one dropped")
	}
	last := w.byPeer[peerKey(fmt.Sprintf("sip:u%d@example.com", maxDisplayPeers+9))]
	if len(last) != 1 || last[0].Text != "" || last[0].Envelope.Body != nil || last[0].Envelope.MessageID == "" {
		t.Errorf("a waiting request %+v: want its message id, no text", last)
	}
}
