package history

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// outcome is what a write handed its done function.
type outcome struct {
	m      api.ChatMessage
	n      int64
	unread int
	err    error
}

// wait returns the outcome a write sends on ch.
func wait(t *testing.T, ch <-chan outcome) outcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("a write's done never ran")
		return outcome{}
	}
}

func add(t *testing.T, s *Store, m api.ChatMessage) outcome {
	t.Helper()
	ch := make(chan outcome, 1)
	s.AddMessage(m, func(m api.ChatMessage, unread int, err error) { ch <- outcome{m: m, unread: unread, err: err} })
	o := wait(t, ch)
	if o.err != nil || o.m.ID == 0 {
		t.Fatalf("AddMessage: %+v", o)
	}
	return o
}

func chat(n int, dir, peer, text string) api.ChatMessage {
	m := api.ChatMessage{Direction: dir, Account: "agent@pbx.test", Peer: peer + "@pbx.test",
		PeerURI: "sip:" + peer + "@pbx.test", Time: int64(1_700_000_000_000 + n*1000), Text: text, State: api.ChatStateReceived}
	if dir == api.DirOutgoing {
		m.State, m.Read = api.ChatStateSent, true
	}
	return m
}

// Messages are stored both ways with what they are, counted unread until their
// conversation is read, paged newest first, and listed by conversation.
func TestMessagesStoredCountedAndPaged(t *testing.T) {
	s, _, _ := newStore(t, 0)
	ctx := context.Background()
	if o := add(t, s, chat(1, api.DirIncoming, "bob", "héllo 世界")); o.unread != 1 {
		t.Fatalf("unread %d after one received message, want 1", o.unread)
	}
	sent := add(t, s, chat(2, api.DirOutgoing, "bob", "hi"))
	if sent.unread != 1 {
		t.Fatalf("unread %d after our answer, want 1", sent.unread)
	}
	add(t, s, chat(3, api.DirIncoming, "carol", "one"))
	if o := add(t, s, chat(4, api.DirIncoming, "carol", "two")); o.unread != 3 {
		t.Fatalf("unread %d, want 3", o.unread)
	}

	states := make(chan outcome, 1)
	s.SetMessageState(sent.m.ID, api.ChatStateFailed, 404, "Not Found", func(m api.ChatMessage, err error) { states <- outcome{m: m, err: err} })
	if o := wait(t, states); o.err != nil || o.m.State != api.ChatStateFailed || o.m.Code != 404 || o.m.Text != "hi" {
		t.Fatalf("SetMessageState: %+v", o)
	}

	convs, err := s.Conversations(ctx, api.ChatConversationsArgs{})
	if err != nil || len(convs.Conversations) != 2 || convs.Unread != 3 {
		t.Fatalf("Conversations: %+v, %v", convs, err)
	}
	if c := convs.Conversations[0]; c.Peer != "carol@pbx.test" || c.Last.Text != "two" || c.Unread != 2 {
		t.Errorf("latest conversation %+v", c)
	}
	if c := convs.Conversations[1]; c.Peer != "bob@pbx.test" || c.Last.Text != "hi" || c.Last.Code != 404 || c.Unread != 1 {
		t.Errorf("older conversation %+v", c)
	}

	page, err := s.ListMessages(ctx, api.ChatListArgs{Peer: "bob@pbx.test", Limit: 1})
	if err != nil || len(page.Messages) != 1 || page.Messages[0].Text != "hi" || page.Next == 0 {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	page, err = s.ListMessages(ctx, api.ChatListArgs{Peer: "bob@pbx.test", Limit: 1, Before: page.Next})
	if err != nil || len(page.Messages) != 1 || page.Next != 0 {
		t.Fatalf("second page: %+v, %v", page, err)
	}
	want := chat(1, api.DirIncoming, "bob", "héllo 世界")
	want.ID = page.Messages[0].ID
	if page.Messages[0] != want {
		t.Errorf("stored %+v\nwant %+v", page.Messages[0], want)
	}

	read := make(chan outcome, 1)
	s.MarkRead("carol@pbx.test", func(n int64, unread int, err error) { read <- outcome{n: n, unread: unread, err: err} })
	if o := wait(t, read); o.err != nil || o.n != 2 || o.unread != 1 {
		t.Fatalf("MarkRead: %+v, want 2 marked and 1 unread left", o)
	}
	s.DeleteMessages(0, "bob@pbx.test", func(n int64, unread int, err error) { read <- outcome{n: n, unread: unread, err: err} })
	if o := wait(t, read); o.err != nil || o.n != 2 || o.unread != 0 {
		t.Fatalf("delete a conversation: %+v, want 2 deleted and none unread", o)
	}
	s.DeleteMessages(want.ID, "", func(n int64, unread int, err error) { read <- outcome{n: n, unread: unread, err: err} })
	if o := wait(t, read); !errors.Is(o.err, ErrNoMessage) || !errors.Is(o.err, api.ErrNotFound) {
		t.Fatalf("delete a message gone: %+v, want ErrNoMessage", o)
	}
	if page, _ := s.ListMessages(ctx, api.ChatListArgs{}); len(page.Messages) != 2 {
		t.Errorf("left %+v, want carol's two", page.Messages)
	}
	if err := CheckChatListArgs(&api.ChatListArgs{Limit: MaxLimit + 1}); err == nil {
		t.Error("a limit over 500 was taken")
	}
}

// Messages outlive the store: a new one on the same file lists them.
func TestMessagesSurviveAReopen(t *testing.T) {
	s, _, path := newStore(t, 0)
	add(t, s, chat(1, api.DirIncoming, "bob", "kept"))
	s.Close()
	s2 := New(Config{Path: path})
	defer s2.Close()
	counted := make(chan outcome, 1)
	s2.UnreadMessages(func(unread int, err error) { counted <- outcome{unread: unread, err: err} })
	if o := wait(t, counted); o.err != nil || o.unread != 1 {
		t.Fatalf("unread after a reopen: %+v", o)
	}
	if page, err := s2.ListMessages(context.Background(), api.ChatListArgs{}); err != nil || len(page.Messages) != 1 || page.Messages[0].Text != "kept" {
		t.Fatalf("after a reopen: %+v, %v", page, err)
	}
}

// A closed store still answers every write, with ErrUnavailable.
func TestMessagesOnAClosedStore(t *testing.T) {
	s, _, _ := newStore(t, 0)
	s.Close()
	ch := make(chan outcome, 1)
	s.AddMessage(chat(1, api.DirIncoming, "bob", "late"), func(m api.ChatMessage, unread int, err error) { ch <- outcome{err: err} })
	if o := wait(t, ch); !errors.Is(o.err, ErrUnavailable) {
		t.Fatalf("AddMessage after Close: %v, want ErrUnavailable", o.err)
	}
}
