package sipstack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/wpservice/wpservice/internal/imdn"
)

// A MESSAGE with a body of its own type goes with that Content-Type and body; one
// empty or over MaxMessageBody, or from an account the stack does not know, is
// refused before anything goes.
func TestMessageSentAsCPIM(t *testing.T) {
	p := newPeer(t)
	st, _ := newTestStack(t, nil, nil)
	acc := Account{Server: p.hostPort(), Username: "alice"}
	if err := st.SetAccount(acc); err != nil {
		t.Fatal(err)
	}
	target, _ := ParseTarget("bob", acc)
	env := imdn.Envelope{From: "sip:alice@x", To: target, MessageID: "m1", Notify: []string{imdn.DeliveryRequest},
		ContentType: imdn.TextType, Body: []byte("hi")}
	got := make(chan MessageResult, 1)
	go func() {
		res, err := st.Send(context.Background(), MessageOptions{Target: target, ContentType: imdn.CPIMType, Body: env.Marshal()})
		if err != nil {
			t.Error(err)
		}
		got <- res
	}()
	req := p.expect(sip.MESSAGE)
	if ct := req.ContentType(); ct == nil || ct.Value() != imdn.CPIMType || string(req.Body()) != string(env.Marshal()) {
		t.Errorf("MESSAGE of %v:\n%s", ct, req.Body())
	}
	select {
	case res := <-got:
		if res.Code != 200 {
			t.Fatalf("result %+v, want 200", res)
		}
	case <-time.After(waitFor):
		t.Fatal("Send did not return")
	}
	if _, err := st.Send(context.Background(), MessageOptions{Account: "9", Target: target, Text: "hi"}); !errors.Is(err, ErrNoAccount) {
		t.Errorf("from an account the stack does not know: %v, want ErrNoAccount", err)
	}
	for name, body := range map[string][]byte{"empty": nil, "too long": []byte(strings.Repeat("x", MaxMessageBody+1))} {
		if _, err := st.Send(context.Background(), MessageOptions{Target: target, ContentType: imdn.CPIMType, Body: body}); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v, want ErrBadMessage", name, err)
		}
	}
}

// A CPIM envelope received is answered 200 and reported with its text, or as the
// delivery notification it carries; a broken one, or one around a type we do not
// read, gets the code that says why and is not reported.
func TestMessageReceivedAsCPIM(t *testing.T) {
	p := newPeer(t)
	st, rec := newTestStack(t, nil, nil)
	text := imdn.Envelope{From: "sip:peer@x", MessageID: "t1", Notify: []string{imdn.DeliveryRequest}, ContentType: "text/plain", Body: []byte("Grüße")}
	if res := peerMessage(t, p, st.UDPAddr(), "message/cpim", text.Marshal()); res.StatusCode != 200 {
		t.Fatalf("CPIM text answered %d", res.StatusCode)
	}
	if m := rec.message(); m.Text != "Grüße" || m.Envelope == nil || m.Envelope.MessageID != "t1" || !m.Envelope.Asks(imdn.DeliveryRequest) {
		t.Fatalf("Message %+v, envelope %+v", m, m.Envelope)
	}
	note := imdn.Reply(imdn.Envelope{From: "sip:alice@x", MessageID: "ours"}, "sip:peer@x", "n1", imdn.Delivered, time.Now())
	if res := peerMessage(t, p, st.UDPAddr(), "message/cpim", note.Marshal()); res.StatusCode != 200 {
		t.Fatalf("delivery notification answered %d", res.StatusCode)
	}
	if m := rec.message(); m.Text != "" || m.Envelope == nil || m.Envelope.ContentType != imdn.NotificationType {
		t.Fatalf("notification reported as %+v, envelope %+v", m, m.Envelope)
	}

	wrap := func(ct, body string) []byte {
		return imdn.Envelope{From: "sip:peer@x", ContentType: ct, Body: []byte(body)}.Marshal()
	}
	refused := []struct {
		name string
		body []byte
		code int
	}{
		{"no envelope", []byte("just text"), 400},
		{"XML inside", wrap("application/xml", "<x/>"), 415},
		{"a broken notification", wrap(imdn.NotificationType, "<imdn"), 400},
		{"no text inside", wrap("text/plain", ""), 400},
		{"too long", []byte(strings.Repeat("z", MaxMessageBody+1)), 413},
	}
	for _, tt := range refused {
		res := peerMessage(t, p, st.UDPAddr(), "message/cpim", tt.body)
		if res.StatusCode != tt.code {
			t.Errorf("%s: %d, want %d", tt.name, res.StatusCode, tt.code)
		}
		if tt.code == 415 && !acceptsCPIM(res) {
			t.Errorf("%s: 415 without Accept: message/cpim", tt.name)
		}
	}
	if res := peerMessage(t, p, st.UDPAddr(), "text/plain", []byte("after")); res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	if m := rec.message(); m.Text != "after" || m.Envelope != nil {
		t.Fatalf("Message %+v, want the plain one after (the refused ones reported?)", m)
	}
}

// acceptsCPIM reports an Accept line of message/cpim.
func acceptsCPIM(res *sip.Response) bool {
	for _, h := range res.GetHeaders("Accept") {
		if h.Value() == imdn.CPIMType {
			return true
		}
	}
	return false
}
