package phone

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// A recording's file name comes from a template (the recordingName setting) whose
// placeholders name the call: {date} (20060102), {time} (150405), {direction} (in or
// out), {peer} (the peer's user or number), {callid} (the engine's call id) and
// {line}. Every value is reduced to letters, digits and "-_.+@", so no name holds a
// path separator, whatever the peer's name says; ".wav" is added when missing.

// defaultRecordingName is the template when none is set.
const defaultRecordingName = "{date}-{time}-{direction}-{peer}-{callid}.wav"

// maxTemplate bounds a template's length.
const maxTemplate = 200

var (
	placeholder  = regexp.MustCompile(`\{[a-z]*\}`)
	placeholders = map[string]bool{"{date}": true, "{time}": true, "{direction}": true, "{peer}": true, "{callid}": true, "{line}": true}
	unsafeChars  = regexp.MustCompile(`[^A-Za-z0-9._+@-]+`)
)

// checkNameTemplate refuses a template with an unknown placeholder, a path
// separator or nothing to name a file with.
func checkNameTemplate(t string) error {
	if strings.TrimSpace(t) == "" || len(t) > maxTemplate {
		return api.BadArg("recordingName", fmt.Sprintf("a file name template of 1..%d characters", maxTemplate))
	}
	if strings.ContainsAny(t, `/\:`) || strings.ContainsRune(t, 0) {
		return api.BadArg("recordingName", "a file name, without a path")
	}
	for _, p := range placeholder.FindAllString(t, -1) {
		if !placeholders[p] {
			return api.BadArg("recordingName", "unknown placeholder "+p+"; use {date}, {time}, {direction}, {peer}, {callid} or {line}")
		}
	}
	return nil
}

// recordingName is the file name template t gives c's recording started at.
func recordingName(t string, c *call, at time.Time) string {
	dir := "in"
	if c.outgoing {
		dir = "out"
	}
	peer := c.peerUser
	if peer == "" {
		peer = c.peer
	}
	values := map[string]string{
		"{date}": at.Format("20060102"), "{time}": at.Format("150405"), "{direction}": dir,
		"{peer}": peer, "{callid}": c.id, "{line}": fmt.Sprint(c.line),
	}
	name := placeholder.ReplaceAllStringFunc(t, func(p string) string { return safeName(values[p]) })
	name = strings.Trim(safeName(strings.TrimSuffix(name, ".wav")), ".")
	if name == "" {
		name = "recording"
	}
	return name + ".wav"
}

// safeName reduces s to the characters a file name may hold everywhere.
func safeName(s string) string {
	return unsafeChars.ReplaceAllString(s, "_")
}
