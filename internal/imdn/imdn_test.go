package imdn

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// A message we send reads back as it was written.
func TestEnvelopeRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 4, 12, 16, 49, 0, time.UTC)
	e := Envelope{From: "sip:alice@example.com", To: "sip:bob@example.com", DateTime: at, MessageID: "34jk324j",
		Notify: []string{DeliveryRequest}, ContentType: TextType, Body: []byte("Grüße\r\n\r\nzweite Zeile")}
	got, err := Parse(e.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.From != e.From || got.To != e.To || !got.DateTime.Equal(at) || got.MessageID != e.MessageID ||
		!slices.Equal(got.Notify, e.Notify) || got.ContentType != TextType || string(got.Body) != string(e.Body) {
		t.Fatalf("read back %+v, wrote %+v", got, e)
	}
	if !got.Asks("Positive-Delivery") || got.Asks("display") {
		t.Errorf("Asks: %v", got.Notify)
	}
}

// An envelope another client wrote: LF line ends, its own prefix for the IMDN
// namespace, a display name; a field under another prefix is not IMDN's.
func TestParseForeignEnvelope(t *testing.T) {
	body := "From: Bob <im:bob@example.com>\nTo: <im:alice@example.com>\nNS: im <urn:ietf:params:imdn>\n" +
		"NS: other <urn:example:other>\nother.Message-ID: wrong\nim.Message-ID: dfsdf0qj\n" +
		"DateTime: 2008-04-04T12:16:49-05:00\nim.Disposition-Notification: positive-delivery, display\n\n" +
		"Content-type: text/plain\n\nhello"
	e, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if e.From != "im:bob@example.com" || e.MessageID != "dfsdf0qj" || !e.Asks(DeliveryRequest) || !e.Asks("display") ||
		e.ContentType != "text/plain" || string(e.Body) != "hello" {
		t.Fatalf("parsed %+v", e)
	}
	for _, bad := range []string{"", "From: <sip:a@b>", "From: <sip:a@b>\r\n\r\nno content headers", "From: <sip:a@b>\r\n\r\nX: y\r\n\r\nno type"} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrBadCPIM) {
			t.Errorf("Parse(%q): %v, want ErrBadCPIM", bad, err)
		}
	}
}

// The notification answering a message reads back with its status, and names the
// message it answers.
func TestReplyNotification(t *testing.T) {
	in := Envelope{From: "sip:alice@example.com", MessageID: "m-1", DateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	r := Reply(in, "sip:bob@example.com", "n-1", Delivered, time.Now())
	got, err := Parse(r.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.To != in.From || got.MessageID != "n-1" || got.ContentType != NotificationType || got.Disposition != "notification" {
		t.Fatalf("reply envelope %+v", got)
	}
	n, err := ParseNotification(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	if n.MessageID != "m-1" || n.Status != Delivered || !n.DateTime.Equal(in.DateTime) || n.Recipient != "sip:bob@example.com" {
		t.Fatalf("notification %+v", n)
	}
}

// Documents that are no delivery notification are refused, not guessed at.
func TestParseNotificationRefuses(t *testing.T) {
	for _, bad := range []string{
		"not xml",
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><delivery-notification><status><delivered/></status></delivery-notification></imdn>`,
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><display-notification><status><delivered/></status></display-notification></imdn>`,
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><delivery-notification><status><displayed/></status></delivery-notification></imdn>`,
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><delivery-notification><status><delivered/></status></delivery-notification><display-notification><status><displayed/></status></display-notification></imdn>`,
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><processing-notification><status><processed/></status></processing-notification></imdn>`,
		`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id><delivery-notification><status><lost/></status></delivery-notification></imdn>`,
		`<imdn xmlns="urn:example"><message-id>x</message-id><delivery-notification><status><delivered/></status></delivery-notification></imdn>`,
	} {
		if _, err := ParseNotification([]byte(bad)); !errors.Is(err, ErrBadNotification) {
			t.Errorf("ParseNotification(%.40q): %v, want ErrBadNotification", bad, err)
		}
	}
}

// A display notification and a negative delivery notification we send are the
// documents RFC 5438 section 7.2.1 describes; a negative one reads back with its
// status.
func TestReplyDisplayedAndNegative(t *testing.T) {
	in := Envelope{From: "sip:alice@example.com", MessageID: "m-1", Notify: []string{DeliveryRequest, NegativeDeliveryRequest, DisplayRequest}}
	displayed := string(Reply(in, "sip:bob@example.com", "n-1", Displayed, time.Now()).Body)
	if !strings.Contains(displayed, "<display-notification><status><displayed/></status></display-notification>") || strings.Contains(displayed, "delivery-notification") {
		t.Errorf("display notification:\n%s", displayed)
	}
	for _, status := range []string{Failed, Forbidden, Error} {
		body := Reply(in, "sip:bob@example.com", "n-2", status, time.Now()).Body
		if n, err := ParseNotification(body); err != nil || n.Status != status || n.MessageID != "m-1" {
			t.Errorf("%s notification reads back %+v, %v", status, n, err)
		}
	}
	if !in.Asks(NegativeDeliveryRequest) || !in.Asks(DisplayRequest) {
		t.Errorf("Asks: %v", in.Notify)
	}
}

// A display notification, as our own Reply writes it and a peer sends it, reads as
// Displayed for the message it names.
func TestParseDisplayNotification(t *testing.T) {
	in := Envelope{From: "sip:alice@example.com", MessageID: "m-7", DateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	n, err := ParseNotification(Reply(in, "sip:bob@example.com", "n-1", Displayed, time.Now()).Body)
	if err != nil || n.Status != Displayed || n.MessageID != "m-7" || !n.DateTime.Equal(in.DateTime) {
		t.Fatalf("ParseNotification of a display notification: %+v, %v", n, err)
	}
}
