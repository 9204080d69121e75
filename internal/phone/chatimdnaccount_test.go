package phone

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/imdn"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// With several accounts, a delivery notification is matched only to a message of
// the account it came to; a message received on an account is kept under it, and
// its delivery notification goes from it.
func TestChatIMDNPerAccount(t *testing.T) {
	store := &fakeChat{}
	var port *multiMessenger
	r, _ := newMultiRig(t, func(c *Config) {
		port = &multiMessenger{multiFake: c.SIP.(*multiFake), out: make(chan OutMessage, 4)}
		c.SIP, c.Chat = port, store
	})
	on := true
	r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{IMDN: &on})
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	adapter := &SIPAdapter{}
	adapter.Bind(nil, r.p)

	sent := r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "from sales", Account: id}).(api.ChatSent)
	env, err := imdn.Parse((<-port.out).Envelope)
	if err != nil {
		t.Fatal(err)
	}
	notify := func(account, status string) {
		note := imdn.Reply(imdn.Envelope{From: env.From, MessageID: env.MessageID, DateTime: env.DateTime}, "sip:bob@sales.example.com", "n", status, time.Now())
		note.ContentType = imdn.NotificationType
		adapter.HandleEvent(sipstack.Message{Account: account, From: "sip:bob@sales.example.com", Envelope: &note})
	}
	notify("", imdn.Failed) // to the default account: not the message sales sent
	notify(id, imdn.Delivered)
	if st := r.nextEvent(api.EvChatStatus).(api.ChatStatus); st.ID != sent.ID || st.State != api.ChatStateDelivered {
		t.Fatalf("chat.status %+v, want %d delivered (a notification to another account taken?)", st, sent.ID)
	}

	in := imdn.Envelope{From: "sip:carol@sales.example.com", MessageID: "theirs-1", Notify: []string{imdn.DeliveryRequest},
		DateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ContentType: "text/plain", Body: []byte("hi sales")}
	adapter.HandleEvent(sipstack.Message{Account: id, From: "sip:carol@sales.example.com", Text: "hi sales", Envelope: &in})
	if m := r.nextEvent(api.EvChatMessage).(api.ChatMessage); m.Account != "2001@sales.example.com" {
		t.Fatalf("chat.message %+v, want it kept under the account it came to", m)
	}
	reply := <-port.out
	if got, err := imdn.Parse(reply.Envelope); err != nil || reply.Account != id || got.From != "sip:2001@sales.example.com" {
		t.Fatalf("delivery notification %+v from account %q (%v), want from %s", got, reply.Account, err, id)
	}
}
