package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// SIPp as a peer that reads delivery notifications (RFC 5438): with imdn on, the
// engine's message goes in a CPIM envelope asking for one, and SIPp's
// notification makes it delivered; SIPp's own message, asking for one, is stored
// and answered with a delivered notification naming it, which SIPp checks.
func TestChatDeliveryNotificationsWithSIPp(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_imdn.xml"), Calls: 2})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": false,
	}})
	c := e.connect(t)
	c.mustDo(api.CmdSettingsSet.Name, map[string]any{"imdn": true}, nil)

	var sent api.ChatSent
	c.mustDo(api.CmdChatSend.Name, map[string]any{"to": "sipp", "text": "Grüße, SIPp"}, &sent)
	var st api.ChatStatus
	c.nextChat(api.EvChatStatus, &st)
	if st.ID != sent.ID || st.State != api.ChatStateDelivered {
		t.Fatalf("chat.status %+v, want %d delivered by the notification", st, sent.ID)
	}
	// SIPp ends once it has our notification of its message, sent once stored
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
