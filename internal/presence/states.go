package presence

import (
	"fmt"
	"slices"
	"strings"
)

// Our own presence states, as setpresencestatus names them (Mizu's Online, Away,
// DND, Invisible, Offline) and as the engine adds while a call is up (busy).
const (
	StatusOnline    = "online"
	StatusAway      = "away"
	StatusBusy      = "busy"
	StatusDND       = "dnd"
	StatusInvisible = "invisible"
	StatusOffline   = "offline"
)

// Statuses lists every status of our own, in the order a page offers them.
var Statuses = []string{StatusOnline, StatusAway, StatusBusy, StatusDND, StatusInvisible, StatusOffline}

// The states a watched contact is reported in: Mizu's onPresenceStateChange values.
const (
	StateAvailable = "Available"
	StateAway      = "Away"
	StateBusy      = "Busy"
	StateSpeaking  = "Speaking"
	StateDND       = "DoNotDisturb"
	StateOffline   = "Offline"
	StatePending   = "Pending"
	StateUnknown   = "Unknown"
	StateNotExists = "NotExists"
)

// State is the Mizu state of a presence document: closed is Offline; an open
// presentity's RPID activity refines Available (on-the-phone is Speaking, a note
// saying do not disturb is DoNotDisturb).
func (p Presence) State() string {
	has := func(a ...string) bool {
		return slices.ContainsFunc(p.Activities, func(x string) bool { return slices.Contains(a, x) })
	}
	note := strings.ToLower(p.Note)
	switch {
	case p.Basic == "closed":
		return StateOffline
	case strings.Contains(note, "do not disturb") || strings.Contains(note, "dnd"):
		return StateDND
	case has("on-the-phone"):
		return StateSpeaking
	case has("busy", "meeting", "performance", "presentation", "meal", "in-transit"):
		return StateBusy
	case has("away", "vacation", "holiday", "sleeping", "lunch", "appointment"):
		return StateAway
	case p.Basic == "open":
		return StateAvailable
	}
	return StateUnknown
}

// BuildPIDF is the PIDF document we PUBLISH for status: closed for offline and
// invisible (whom nobody should see), open otherwise, with the RPID activity and a
// note naming the status.
func BuildPIDF(entity, status string) ([]byte, error) {
	if !slices.Contains(Statuses, status) {
		return nil, fmt.Errorf("presence: unknown status %q", status)
	}
	basic, activity, note := "open", "", "Online"
	switch status {
	case StatusAway:
		activity, note = "away", "Away"
	case StatusBusy:
		activity, note = "on-the-phone", "On the phone"
	case StatusDND:
		activity, note = "busy", "Do not disturb"
	case StatusInvisible, StatusOffline:
		basic, note = "closed", "Offline"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="`)
	b.WriteString(escapeXML(entity))
	b.WriteString("\">\n")
	b.WriteString(" <tuple id=\"t1\"><status><basic>" + basic + "</basic></status></tuple>\n")
	if activity != "" {
		b.WriteString(" <dm:person id=\"p1\"><rpid:activities><rpid:" + activity + "/></rpid:activities></dm:person>\n")
	}
	b.WriteString(" <note>" + note + "</note>\n")
	b.WriteString("</presence>\n")
	return []byte(b.String()), nil
}

// escapeXML escapes text for an attribute value or element content.
func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
