package phone

import (
	"context"
	"errors"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// multiMessenger is the fake SIP stack with accounts besides the default that
// sends messages too, answering each 200.
type multiMessenger struct {
	*multiFake
	out chan OutMessage
}

func (m *multiMessenger) SendMessage(_ context.Context, o OutMessage) (int, string, error) {
	m.out <- o
	return 200, "OK", nil
}

// chat.send from an account goes from it to a target at its server, and the
// message says so; without one it goes from the default; an unknown account is
// not_found, and nothing is stored.
func TestChatSendFromAnAccount(t *testing.T) {
	store := &fakeChat{}
	var port *multiMessenger
	r, _ := newMultiRig(t, func(c *Config) {
		port = &multiMessenger{multiFake: c.SIP.(*multiFake), out: make(chan OutMessage, 4)}
		c.SIP, c.Chat = port, store
	})
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID

	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "from sales", Account: id})
	if o := <-port.out; o.Account != id || o.Target != "sip:bob@sales.example.com" {
		t.Errorf("sent %+v, want bob at the added account's server from it", o)
	}
	if m := r.nextEvent(api.EvChatMessage).(api.ChatMessage); m.Account != "2001@sales.example.com" || m.Peer != "bob@sales.example.com" {
		t.Errorf("chat.message %+v, want it from the added account", m)
	}
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "carol", Text: "from the default"})
	if o := <-port.out; o.Account != "" || o.Target != "sip:carol@127.0.0.1:5060" {
		t.Errorf("sent %+v, want carol from the default account", o)
	}
	if _, err := r.do(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "hi", Account: "9"}); !errors.Is(err, api.ErrNotFound) || apiCode(err) != api.CodeNotFound {
		t.Errorf("chat.send from an unknown account: %v, want not_found", err)
	}
	if n := len(store.stored()); n != 2 {
		t.Errorf("%d messages stored, want the two sent", n)
	}
}

// chat.list and chat.conversations with an account keep the messages stored under
// its address of record; an unknown account is not_found.
func TestChatListedByAccount(t *testing.T) {
	store := &fakeChat{}
	var port *multiMessenger
	r, _ := newMultiRig(t, func(c *Config) {
		port = &multiMessenger{multiFake: c.SIP.(*multiFake), out: make(chan OutMessage, 4)}
		c.SIP, c.Chat = port, store
	})
	id := r.mustDo(api.CmdAccountAdd.Name, &sales).(api.AccountInfo).ID
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "from sales", Account: id})
	r.mustDo(api.CmdChatSend.Name, &api.ChatSendArgs{To: "bob", Text: "from the default"})
	<-port.out
	<-port.out

	page := r.mustDo(api.CmdChatList.Name, &api.ChatListArgs{Account: id}).(api.ChatPage)
	if len(page.Messages) != 1 || page.Messages[0].Text != "from sales" {
		t.Errorf("chat.list of the added account: %+v", page.Messages)
	}
	if all := r.mustDo(api.CmdChatList.Name, &api.ChatListArgs{}).(api.ChatPage); len(all.Messages) != 2 {
		t.Errorf("chat.list of every account: %+v", all.Messages)
	}
	r.mustDo(api.CmdChatConversations.Name, &api.ChatConversationsArgs{Account: id})
	r.mustDo(api.CmdChatConversations.Name, nil)
	store.mu.Lock()
	asked := append([]api.ChatConversationsArgs(nil), store.convArgs...)
	store.mu.Unlock()
	if len(asked) != 2 || asked[0].Account != "2001@sales.example.com" || asked[1].Account != "" {
		t.Errorf("conversations asked of the store %+v, want the added account's address, then every account", asked)
	}
	if _, err := r.do(api.CmdChatList.Name, &api.ChatListArgs{Account: "9"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("chat.list of an unknown account: %v, want not_found", err)
	}
	if _, err := r.do(api.CmdChatConversations.Name, &api.ChatConversationsArgs{Account: "9"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("chat.conversations of an unknown account: %v, want not_found", err)
	}
}
