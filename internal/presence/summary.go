package presence

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Summary is a message-summary document (RFC 3842 section 5.2): whether messages
// wait, the account they wait in, and the voice-message counts.
type Summary struct {
	Waiting bool   // Messages-Waiting: yes
	Account string // Message-Account, a URI; "" when absent
	Voice   Counts // the voice-message line; zero when absent
}

// Counts are the new and old messages of one class, and of those the urgent ones.
type Counts struct {
	New       int `json:"new"`
	Old       int `json:"old"`
	UrgentNew int `json:"urgentNew,omitempty"`
	UrgentOld int `json:"urgentOld,omitempty"`
}

// ParseSummary reads a message-summary body. Messages-Waiting is required; a
// message class line must read "new/old" with an optional " (urgentNew/urgentOld)";
// lines of unknown headers and the message headers after the first empty line are
// skipped.
func ParseSummary(body []byte) (Summary, error) {
	if len(body) > maxDocument {
		return Summary{}, fmt.Errorf("%w: message-summary of %d bytes", ErrMalformed, len(body))
	}
	var s Summary
	seenWaiting := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 1024), maxDocument)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			if seenWaiting {
				break // the optional message headers follow
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return Summary{}, fmt.Errorf("%w: message-summary line %q", ErrMalformed, line)
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		switch name {
		case "messages-waiting":
			switch strings.ToLower(value) {
			case "yes":
				s.Waiting = true
			case "no":
			default:
				return Summary{}, fmt.Errorf("%w: Messages-Waiting %q", ErrMalformed, value)
			}
			seenWaiting = true
		case "message-account":
			s.Account = value
		case "voice-message":
			c, err := parseCounts(value)
			if err != nil {
				return Summary{}, err
			}
			s.Voice = c
		case "fax-message", "pager-message", "multimedia-message", "text-message", "none":
			if _, err := parseCounts(value); err != nil {
				return Summary{}, err
			}
		}
	}
	if !seenWaiting {
		return Summary{}, fmt.Errorf("%w: no Messages-Waiting", ErrMalformed)
	}
	return s, nil
}

// parseCounts reads "2/8 (0/2)" or "2/8".
func parseCounts(v string) (Counts, error) {
	main, urgent, hasUrgent := strings.Cut(v, "(")
	var c Counts
	var err error
	if c.New, c.Old, err = pair(main); err != nil {
		return Counts{}, err
	}
	if hasUrgent {
		inner, ok := strings.CutSuffix(strings.TrimSpace(urgent), ")")
		if !ok {
			return Counts{}, fmt.Errorf("%w: message counts %q", ErrMalformed, v)
		}
		if c.UrgentNew, c.UrgentOld, err = pair(inner); err != nil {
			return Counts{}, err
		}
	}
	return c, nil
}

// pair reads "new/old", two counts of at most nine digits.
func pair(v string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(v), "/")
	x, errA := count(a)
	y, errB := count(b)
	if !ok || errA != nil || errB != nil {
		return 0, 0, fmt.Errorf("%w: message counts %q", ErrMalformed, v)
	}
	return x, y, nil
}

func count(s string) (int, error) {
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, ErrMalformed
	}
	return strconv.Atoi(s)
}
