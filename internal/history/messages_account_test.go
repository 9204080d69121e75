package history

import (
	"context"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// A page of messages and the conversations may keep one account's only; without
// an account they are every account's, as always.
func TestMessagesOfOneAccount(t *testing.T) {
	s, _, _ := newStore(t, 0)
	ctx := context.Background()
	add(t, s, chat(1, api.DirIncoming, "bob", "to the agent"))
	sales := chat(2, api.DirIncoming, "bob", "to sales")
	sales.Account = "sales@pbx.test"
	add(t, s, sales)
	add(t, s, chat(3, api.DirIncoming, "carol", "to the agent too"))

	page, err := s.ListMessages(ctx, api.ChatListArgs{Account: "sales@pbx.test"})
	if err != nil || len(page.Messages) != 1 || page.Messages[0].Text != "to sales" {
		t.Fatalf("sales' messages: %+v, %v", page, err)
	}
	if all, err := s.ListMessages(ctx, api.ChatListArgs{}); err != nil || len(all.Messages) != 3 {
		t.Fatalf("every message: %+v, %v", all, err)
	}

	convs, err := s.Conversations(ctx, api.ChatConversationsArgs{Account: "agent@pbx.test"})
	if err != nil || len(convs.Conversations) != 2 || convs.Unread != 3 {
		t.Fatalf("the agent's conversations: %+v, %v", convs, err)
	}
	if c := convs.Conversations[1]; c.Peer != "bob@pbx.test" || c.Last.Text != "to the agent" || c.Unread != 1 {
		t.Errorf("the agent's conversation with bob %+v, want its own last message and unread count", c)
	}
	if all, err := s.Conversations(ctx, api.ChatConversationsArgs{}); err != nil || len(all.Conversations) != 2 ||
		all.Conversations[1].Last.Text != "to sales" || all.Conversations[1].Unread != 2 {
		t.Fatalf("every conversation: %+v, %v", all, err)
	}
}
