package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// SIPp as a peer that reads delivery notifications (RFC 5438): with imdn on, the
// engine's message goes in a CPIM envelope asking for one, and SIPp's
// notification makes it delivered; SIPp's own message, asking for one and for a
// display notification, is stored and answered with a delivered notification
// naming it, which SIPp checks; with imdnDisplay on, chat.read of the conversation
// then sends its display notification, which SIPp checks too.
func TestChatDeliveryNotificationsWithSIPp(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_imdn.xml"), Calls: 3})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": false,
	}})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"imdn": true, "imdnDisplay": true}, nil)
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)

	var sent api.ChatSent
	c.mustDo(api.CmdChatSend.Name, map[string]any{"to": "sipp", "text": "Grüße, SIPp"}, &sent)
	// SIPp's notification makes ours delivered, and our delivery notification of
	// SIPp's message goes once it is stored, in either order; once it has, the page
	// reads the conversation, and its display notification follows
	delivered, notified := false, false
	for deadline := time.After(10 * time.Second); !delivered || !notified; {
		select {
		case ev := <-c.events:
			switch ev.Event {
			case api.EvChatStatus:
				var st api.ChatStatus
				json.Unmarshal(ev.Data, &st)
				if st.ID != sent.ID || st.State != api.ChatStateDelivered {
					t.Fatalf("chat.status %+v, want %d delivered by the notification", st, sent.ID)
				}
				delivered = true
			case api.EvSIPTrace:
				var tr api.SIPTrace
				json.Unmarshal(ev.Data, &tr)
				notified = notified || tr.Dir == "send" && strings.Contains(tr.Message, "<message-id>sipp-2</message-id>") && strings.Contains(tr.Message, "<delivered/>")
			}
		case <-deadline:
			t.Fatalf("within 10 s: ours delivered %v, our delivery notification of SIPp's sent %v\n%s", delivered, notified, sipp.Messages())
		}
	}
	c.mustDo(api.CmdChatRead.Name, map[string]any{"peer": sent.Peer}, nil)
	// SIPp ends once it has both our notifications of its message
	if code, log := sipp.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("SIPp (the peer) exited %d:\n%s", code, log)
	}
	var page api.ChatPage
	c.mustDo(api.CmdChatList.Name, map[string]any{"peer": sent.Peer}, &page)
	if len(page.Messages) != 2 {
		t.Fatalf("conversation %+v: want SIPp's message and ours, no notification kept", page.Messages)
	}
	theirs, ours := page.Messages[0], page.Messages[1]
	if theirs.Direction != api.DirIncoming || strings.TrimSpace(theirs.Text) != "Hello from SIPp" || ours.State != api.ChatStateDelivered {
		t.Fatalf("conversation %+v: want SIPp's text, then ours delivered", page.Messages)
	}
}

// SIPp as a peer that cannot deliver: the engine's message, in an envelope asking
// for a negative delivery notification too, is answered 200 and then with one,
// failed, which makes it failed with that status as its reason.
func TestChatNegativeDeliveryNotificationWithSIPp(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_imdn_negative.xml"), Calls: 1})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": false,
	}})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"imdn": true}, nil)

	var sent api.ChatSent
	c.mustDo(api.CmdChatSend.Name, map[string]any{"to": "sipp", "text": "nobody home"}, &sent)
	var st api.ChatStatus
	c.nextChat(api.EvChatStatus, &st)
	if st.ID != sent.ID || st.State != api.ChatStateFailed || st.Reason != "delivery notification: failed" {
		t.Fatalf("chat.status %+v, want %d failed by the notification", st, sent.ID)
	}
	sippPassed(t, sipp)
	var page api.ChatPage
	c.mustDo(api.CmdChatList.Name, map[string]any{"peer": sent.Peer}, &page)
	if len(page.Messages) != 1 || page.Messages[0].State != api.ChatStateFailed {
		t.Fatalf("conversation %+v: want our message, failed, and no notification kept", page.Messages)
	}
}
