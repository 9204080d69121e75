package control

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The messages are private: a read-only connection gets no chat.message or
// chat.status (the count, chat.unread, it gets), a control connection gets them.
func TestChatEventsNeedControl(t *testing.T) {
	s, f, _ := pairingServer(t, nil, nil)
	wall := dialWS(t, s, "https://wallboard.example.com") // read only
	readWire(t, wall)                                     // hello
	agent := dialWS(t, s, "https://agent.example.com")    // control
	readWire(t, agent)

	f.emit(api.EvChatMessage, api.ChatMessage{ID: 1, Text: "private"})
	f.emit(api.EvChatStatus, api.ChatStatus{ID: 1, State: api.ChatStateDelivered})
	unread := f.emit(api.EvChatUnread, api.ChatUnread{Unread: 1})

	if m := readWire(t, wall); m.Event != api.EvChatUnread || m.Seq != unread {
		t.Fatalf("read-only connection got %s seq %d, want only chat.unread seq %d", m.Event, m.Seq, unread)
	}
	for _, want := range []string{api.EvChatMessage, api.EvChatStatus, api.EvChatUnread} {
		if m := readWire(t, agent); m.Event != want {
			t.Fatalf("control connection got %s, want %s", m.Event, want)
		}
	}
}
