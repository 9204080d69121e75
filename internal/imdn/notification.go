package imdn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
)

// The statuses of a delivery notification (RFC 5438 section 7.2.1.1), and the
// one of a display notification (7.2.1.2), sent and read.
const (
	Delivered = "delivered"
	Failed    = "failed"
	Forbidden = "forbidden"
	Error     = "error"
	Displayed = "displayed"
)

// Notification is a delivery notification, what became of the message MessageID
// at Recipient, or with Status Displayed the display notification that says its
// recipient was shown it.
type Notification struct {
	MessageID string
	DateTime  time.Time // the original message's DateTime
	Recipient string    // the URI of the recipient it reports on
	Status    string    // Delivered, Failed, Forbidden or Error; Displayed
}

// ErrBadNotification reports a message/imdn+xml body that is no delivery
// notification.
var ErrBadNotification = errors.New("imdn: bad delivery notification")

// imdnDoc is the XML of a notification (urn:ietf:params:xml:ns:imdn); the status is
// the name of the element inside delivery-notification's or display-notification's
// status.
type imdnDoc struct {
	XMLName   xml.Name            `xml:"urn:ietf:params:xml:ns:imdn imdn"`
	MessageID string              `xml:"message-id"`
	DateTime  string              `xml:"datetime"`
	Recipient string              `xml:"recipient-uri,omitempty"`
	Original  string              `xml:"original-recipient-uri,omitempty"`
	Delivery  *notificationStatus `xml:"delivery-notification"`
	Display   *notificationStatus `xml:"display-notification"`
}

type notificationStatus struct {
	Status struct {
		Inner []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"status"`
}

// Marshal writes the notification as a message/imdn+xml document.
func (n Notification) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<imdn xmlns="urn:ietf:params:xml:ns:imdn">` + "\n")
	el := func(name, value string) {
		b.WriteString("  <" + name + ">")
		_ = xml.EscapeText(&b, []byte(value))
		b.WriteString("</" + name + ">\n")
	}
	el("message-id", n.MessageID)
	el("datetime", n.DateTime.Format(time.RFC3339Nano))
	if n.Recipient != "" {
		el("recipient-uri", n.Recipient)
		el("original-recipient-uri", n.Recipient)
	}
	kind := "delivery-notification"
	if n.Status == Displayed {
		kind = "display-notification"
	}
	b.WriteString("  <" + kind + "><status><" + n.Status + "/></status></" + kind + ">\n")
	b.WriteString("</imdn>\n")
	return b.Bytes()
}

// ParseNotification reads a delivery notification, or a display notification
// (status Displayed). A processing notification, one that is both, or one without a
// message-id or a known status, is an error.
func ParseNotification(body []byte) (Notification, error) {
	var d imdnDoc
	if err := xml.Unmarshal(body, &d); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrBadNotification, err)
	}
	st, display := d.Delivery, false
	if d.Display != nil && d.Delivery == nil {
		st, display = d.Display, true
	}
	if d.MessageID == "" || st == nil || (d.Display != nil && d.Delivery != nil) || len(st.Status.Inner) != 1 {
		return Notification{}, fmt.Errorf("%w: no message-id, or not one delivery or display status", ErrBadNotification)
	}
	n := Notification{MessageID: d.MessageID, Recipient: d.Recipient, Status: st.Status.Inner[0].XMLName.Local}
	n.DateTime, _ = time.Parse(time.RFC3339Nano, d.DateTime)
	switch {
	case display && n.Status == Displayed:
		return n, nil
	case !display && (n.Status == Delivered || n.Status == Failed || n.Status == Forbidden || n.Status == Error):
		return n, nil
	}
	return Notification{}, fmt.Errorf("%w: status %q", ErrBadNotification, n.Status)
}

// Reply is the envelope of the notification that answers in, the message we
// received as recipient: status (a delivery status, or Displayed), under the new
// message id id.
func Reply(in Envelope, recipient, id, status string, now time.Time) Envelope {
	n := Notification{MessageID: in.MessageID, DateTime: in.DateTime, Recipient: recipient, Status: status}
	return Envelope{
		From: recipient, To: in.From, DateTime: now, MessageID: id,
		Disposition: "notification", ContentType: NotificationType, Body: n.Marshal(),
	}
}
