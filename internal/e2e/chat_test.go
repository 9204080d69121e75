package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// nextChat waits for the next event name (chat.message, chat.status, chat.unread)
// and decodes it into v.
func (c *client) nextChat(name string, v any) {
	c.t.Helper()
	if err := json.Unmarshal(c.next(name, 10*time.Second, nil), v); err != nil {
		c.t.Fatal(err)
	}
}

// The engine and baresip chat through kamailio (with digest authentication of
// MESSAGE) both ways in Unicode, the engine keeps the conversation, and it is still
// there, with its unread message, after the engine restarts.
func TestChatWithBaresipBothWaysSurvivesARestart(t *testing.T) {
	kam := testpeer.StartKamailio(t, testpeer.KamailioOptions{Auth: true, Users: map[string]string{"alice": "secret", "bob": "bobpass"}})
	wav := filepath.Join(t.TempDir(), "bob.wav")
	writeTone(t, wav, baresipHz, 60*time.Second)
	bob := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "bob", Password: "bobpass", Registrar: kam.Addr,
		SourceWAV: wav, MessageTo: "sip:alice@" + kam.Addr})
	bob.WaitRegistered(t, 10*time.Second)
	account := map[string]any{"server": kam.Addr, "username": "alice", "password": "secret", "register": true}
	e := startEngine(t, engineOptions{account: account})
	c := e.connect(t)
	if c.hello.Snapshot.Registration.State != api.RegRegistered {
		c.next(api.EvRegState, 10*time.Second, regState(api.RegRegistered))
	}

	// the engine to baresip
	const ours = "Grüße, Bob 👋 — 世界"
	var sent api.ChatSent
	c.mustDo(api.CmdChatSend.Name, map[string]any{"to": "bob", "text": ours}, &sent)
	var m api.ChatMessage
	c.nextChat(api.EvChatMessage, &m)
	if m.ID != sent.ID || m.Direction != api.DirOutgoing || m.Text != ours || m.State != api.ChatStateSent {
		t.Fatalf("chat.message of ours %+v", m)
	}
	var st api.ChatStatus
	c.nextChat(api.EvChatStatus, &st)
	if st.ID != sent.ID || st.State != api.ChatStateDelivered || st.Code != 200 {
		t.Fatalf("chat.status %+v, want delivered 200", st)
	}
	waitUntil(t, 5*time.Second, func() bool { return bob.MessageReceived(ours) }, func() string {
		return "baresip did not print our message; its log:\n" + bob.Log()
	})

	// baresip to the engine
	const theirs = "Привет, Alice 🌍 ✓"
	bob.SendMessage(t, theirs)
	c.nextChat(api.EvChatMessage, &m)
	if m.Direction != api.DirIncoming || m.Text != theirs || m.Peer != sent.Peer || m.State != api.ChatStateReceived || m.Read {
		t.Fatalf("chat.message of theirs %+v, want it from %s", m, sent.Peer)
	}
	var unread api.ChatUnread
	c.nextChat(api.EvChatUnread, &unread)
	if unread.Unread != 1 {
		t.Fatalf("chat.unread %+v, want 1", unread)
	}
	checkConversation(t, c, sent.Peer, ours, theirs)

	// restarted on the same database, the conversation is there, still unread
	e.stop(t)
	e2 := startEngine(t, engineOptions{prepare: func(dataDir string) {
		db, err := os.ReadFile(filepath.Join(e.dataDir, "history.db")) // whole: the engine closed it
		if err == nil {
			err = os.MkdirAll(dataDir, 0o700)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dataDir, "history.db"), db, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}})
	c2 := e2.connect(t)
	c2.nextChat(api.EvChatUnread, &unread)
	if unread.Unread != 1 {
		t.Fatalf("after the restart chat.unread %+v, want 1", unread)
	}
	var snap api.Snapshot
	c2.mustDo(api.CmdStatus.Name, nil, &snap)
	if snap.UnreadMessages != 1 {
		t.Errorf("after the restart the snapshot's unread %d, want 1", snap.UnreadMessages)
	}
	checkConversation(t, c2, sent.Peer, ours, theirs)
	var read api.ChatChanged
	c2.mustDo(api.CmdChatRead.Name, map[string]any{"peer": sent.Peer}, &read)
	if read.Changed != 1 || read.Unread != 0 {
		t.Errorf("chat.read %+v", read)
	}
}

// checkConversation requires the conversation with peer to hold ours (delivered)
// and then theirs (unread), newest first, and to be the one conversation.
func checkConversation(t *testing.T, c *client, peer, ours, theirs string) {
	t.Helper()
	var page api.ChatPage
	c.mustDo(api.CmdChatList.Name, map[string]any{"peer": peer}, &page)
	if len(page.Messages) != 2 || page.Messages[0].Text != theirs || page.Messages[1].Text != ours ||
		page.Messages[1].State != api.ChatStateDelivered || page.Messages[1].Code != 200 || page.Messages[0].Read {
		t.Fatalf("chat.list %+v", page)
	}
	var convs api.Conversations
	c.mustDo(api.CmdChatConversations.Name, nil, &convs)
	if len(convs.Conversations) != 1 || convs.Conversations[0].Peer != peer || convs.Conversations[0].Unread != 1 ||
		convs.Conversations[0].Last.Text != theirs || convs.Unread != 1 {
		t.Fatalf("chat.conversations %+v", convs)
	}
}

// A MESSAGE the engine does not take gets the code that says why (415 with Accept
// for a body other than text, 413 for a text over the bound, 513 from the front
// door for a request too large for it) and nothing is stored; the engine stays up and
// takes the next good one.
func TestChatMalformedMessagesAtTheEngine(t *testing.T) {
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	refused := []struct {
		name, contentType string
		body              string
		code              string
	}{
		{"HTML", "text/html", "<b>hi</b>", "415"},
		{"a multipart body", "multipart/mixed;boundary=x", "--x\r\n\r\nhi\r\n--x--\r\n", "415"},
		{"another charset", "text/plain;charset=iso-8859-1", "caf\xe9", "415"},
		{"a text over the bound", "text/plain", strings.Repeat("é", 3000), "413"},
		{"a request too large", "text/plain", strings.Repeat("x", 40_000), "513"},
		{"bytes that are not UTF-8", "text/plain", "\xff\xfe\xfd", "400"},
	}
	for _, proto := range []string{"udp", "tcp"} {
		for _, r := range refused {
			answer := sendMessage(t, e, proto, r.contentType, r.body)
			if !strings.HasPrefix(answer, "SIP/2.0 "+r.code+" ") {
				t.Fatalf("%s over %s: answer %q, want %s", r.name, proto, firstLine(answer), r.code)
			}
			if r.code == "415" && headerValue(answer, "Accept") != "text/plain;charset=UTF-8" {
				t.Errorf("%s over %s: 415 without Accept: text/plain:\n%s", r.name, proto, answer)
			}
		}
	}
	if answer := sendMessage(t, e, "udp", "text/plain;charset=UTF-8", "still here ✓"); !strings.HasPrefix(answer, "SIP/2.0 200 ") {
		t.Fatalf("a good MESSAGE after them: %q", firstLine(answer))
	}
	var m api.ChatMessage
	c.nextChat(api.EvChatMessage, &m) // the first stored: none of the refused ones was
	if m.Text != "still here ✓" || m.Peer != "tester@127.0.0.1" {
		t.Fatalf("chat.message %+v, want the good one", m)
	}
}

// sendMessage sends a MESSAGE to the engine over proto from a socket of its own and
// returns the answer.
func sendMessage(t *testing.T, e *engine, proto, contentType, body string) string {
	t.Helper()
	conn, err := net.Dial(proto, e.sipAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() // the front door takes 8 connections from one address
	via := "SIP/2.0/" + strings.ToUpper(proto) + " " + conn.LocalAddr().String() + ";branch=z9hG4bK-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ";rport"
	msg := "MESSAGE sip:alice@" + e.sipAddr() + " SIP/2.0\r\nVia: " + via + "\r\nMax-Forwards: 70\r\n" +
		"From: <sip:tester@127.0.0.1>;tag=t" + strconv.Itoa(len(body)) + "\r\nTo: <sip:alice@" + e.sipAddr() + ">\r\n" +
		"Call-ID: chat-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: " + contentType + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 65535)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no answer over %s: %v", proto, err)
	}
	return string(buf[:n])
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\r\n"); return line }
