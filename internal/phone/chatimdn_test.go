package phone

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// cpimSIP is the fake SIP port that keeps the envelopes it sends apart, answering
// each with the messagingSIP's code.
type cpimSIP struct {
	*messagingSIP
	envelopes chan [2]string // target, envelope
}

func (c *cpimSIP) SendMessage(ctx context.Context, out OutMessage) (int, string, error) {
	if out.Envelope == nil {
		return c.messagingSIP.SendMessage(ctx, out)
	}
	c.envelopes <- [2]string{out.Target, string(out.Envelope)}
	return c.code, "Answer", nil
}

// imdnRig is a chat rig whose SIP port sends envelopes, with imdn set to on.
func imdnRig(t *testing.T, on bool) (*rig, *cpimSIP, *fakeChat) {
	var c *cpimSIP
	r, _, store := chatRig(t, 200, func(cfg *Config) {
		c = &cpimSIP{messagingSIP: cfg.SIP.(*messagingSIP), envelopes: make(chan [2]string, 10)}
		cfg.SIP = c
	})
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{IMDN: &on})
	if s := r.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.IMDN != on {
		t.Fatalf("settings.get says imdn %v, set %v", s.IMDN, on)
	}
	return r, c, store
}

// nextEnvelope is the next envelope the port sent, read.
func (c *cpimSIP) nextEnvelope(t *testing.T) (string, imdn.Envelope) {
	t.Helper()
	select {
	case got := <-c.envelopes:
		env, err := imdn.Parse([]byte(got[1]))
		if err != nil {
			t.Fatalf("envelope sent to %s: %v\n%s", got[0], err, got[1])
		}
		return got[0], env
	case <-time.After(2 * time.Second):
		t.Fatal("no envelope sent")
		return "", imdn.Envelope{}
	}
}

// With imdn on, a message goes in an envelope asking for its delivery, stays sent
// after the 2xx, and the recipient's notification makes it delivered; one naming
// no message of ours changes nothing.
func TestChatIMDNRequestedAndNotified(t *testing.T) {
	r, port, store := imdnRig(t, true)
	sent := r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "Grüße"}).(api.ChatSent)
	target, env := port.nextEnvelope(t)
	if target != "sip:bob@127.0.0.1:5060" || string(env.Body) != "Grüße" || !env.Asks(imdn.DeliveryRequest) ||
		env.MessageID == "" || env.To != target || env.From != "sip:alice@127.0.0.1:5060" {
		t.Fatalf("envelope to %s: %+v", target, env)
	}
	if len(port.sent) != 0 {
		t.Fatal("sent as plain text too")
	}

	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	notify := func(messageID, status string) {
		note := imdn.Reply(imdn.Envelope{From: env.From, MessageID: messageID, DateTime: env.DateTime}, "sip:bob@127.0.0.1", "n", status, time.Now())
		note.ContentType = imdn.NotificationType
		adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5060", Envelope: &note})
	}
	// a stranger's failures first: were they taken, the message would fail
	notify("999."+strings.TrimPrefix(env.MessageID, strconv.FormatInt(sent.ID, 10)+"."), imdn.Failed) // no message 999
	notify("not ours", imdn.Failed)
	notify(env.MessageID, imdn.Delivered)
	st := r.nextEvent(api.EvChatStatus).(api.ChatStatus)
	if st.ID != sent.ID || st.State != api.ChatStateDelivered || st.Code != 0 {
		t.Fatalf("chat.status %+v, want %d delivered by the notification (the 2xx reported, or a stranger's notification?)", st, sent.ID)
	}
	if m := store.stored()[0]; m.State != api.ChatStateDelivered {
		t.Fatalf("stored %+v", m)
	}
	if len(store.stored()) != 1 {
		t.Fatalf("a notification stored as a message: %+v", store.stored())
	}
}

// A message received in an envelope asking for its delivery is stored, then
// answered with a delivered notification naming it; with imdn off, ours go as
// plain text.
func TestChatIMDNAnswered(t *testing.T) {
	r, port, store := imdnRig(t, false)
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)
	in := imdn.Envelope{From: "sip:bob@127.0.0.1", MessageID: "theirs-1", Notify: []string{imdn.DeliveryRequest},
		DateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ContentType: "text/plain", Body: []byte("hi")}
	adapter.HandleEvent(sipstack.Message{From: "sip:bob@127.0.0.1:5080", Text: "hi", Envelope: &in})
	if m := r.nextEvent(api.EvChatMessage).(api.ChatMessage); m.Text != "hi" || len(store.stored()) != 1 {
		t.Fatalf("chat.message %+v", m)
	}
	target, env := port.nextEnvelope(t)
	n, err := imdn.ParseNotification(env.Body)
	if target != "sip:bob@127.0.0.1:5080" || err != nil || n.MessageID != "theirs-1" || n.Status != imdn.Delivered ||
		env.ContentType != imdn.NotificationType {
		t.Fatalf("notification to %s: %+v %v", target, n, err)
	}

	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "plain"})
	if got := <-port.sent; got[1] != "plain" {
		t.Fatalf("sent %q", got)
	}
	if st := r.nextEvent(api.EvChatStatus).(api.ChatStatus); st.State != api.ChatStateDelivered {
		t.Fatalf("plain message's chat.status %+v", st)
	}
	if len(port.envelopes) != 0 {
		t.Fatal("an envelope with imdn off")
	}
}
