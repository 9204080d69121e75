package phone

import (
	"fmt"
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

// knownPlaceholder says whether p is one of the template's placeholders.
func knownPlaceholder(p string) bool {
	switch p {
	case "{date}", "{time}", "{direction}", "{peer}", "{callid}", "{line}":
		return true
	}
	return false
}

// placeholders calls fn with each placeholder-shaped part of t ("{" lower-case letters
// "}"), left to right, and returns t with each replaced by what fn returns. (Plain
// code rather than a regexp: a package-level regexp is compiled at every start.)
func placeholders(t string, fn func(p string) string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(t); i++ {
		if t[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(t) && 'a' <= t[j] && t[j] <= 'z' {
			j++
		}
		if j < len(t) && t[j] == '}' {
			b.WriteString(t[last:i])
			b.WriteString(fn(t[i : j+1]))
			last, i = j+1, j
		}
	}
	if last == 0 {
		return t
	}
	b.WriteString(t[last:])
	return b.String()
}

// checkNameTemplate refuses a template with an unknown placeholder, a path
// separator or nothing to name a file with.
func checkNameTemplate(t string) error {
	if strings.TrimSpace(t) == "" || len(t) > maxTemplate {
		return api.BadArg("recordingName", fmt.Sprintf("a file name template of 1..%d characters", maxTemplate))
	}
	if strings.ContainsAny(t, `/\:`) || strings.ContainsRune(t, 0) {
		return api.BadArg("recordingName", "a file name, without a path")
	}
	var unknown string
	placeholders(t, func(p string) string {
		if unknown == "" && !knownPlaceholder(p) {
			unknown = p
		}
		return p
	})
	if unknown != "" {
		return api.BadArg("recordingName", "unknown placeholder "+unknown+"; use {date}, {time}, {direction}, {peer}, {callid} or {line}")
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
	name := placeholders(t, func(p string) string { return safeName(values[p]) })
	name = strings.Trim(safeName(strings.TrimSuffix(name, ".wav")), ".")
	if name == "" {
		name = "recording"
	}
	return name + ".wav"
}

// safeName reduces s to the characters a file name may hold everywhere: each run of
// other characters becomes one "_" (a byte at a time: every byte of a multi-byte
// character is outside the set, so a run of them is one run).
func safeName(s string) string {
	var b strings.Builder
	run := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if fileNameByte(c) {
			b.WriteByte(c)
			run = false
		} else if !run {
			b.WriteByte('_')
			run = true
		}
	}
	return b.String()
}

// fileNameByte says whether c may stand in a file name: A-Z a-z 0-9 . _ + @ -.
func fileNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("._+@-", c) >= 0
}
