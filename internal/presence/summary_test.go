package presence

import (
	"errors"
	"testing"
)

func TestParseSummary(t *testing.T) {
	for _, tc := range []struct {
		body string
		want Summary
	}{
		{"Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm.example.com\r\nVoice-Message: 2/8 (0/2)\r\n",
			Summary{Waiting: true, Account: "sip:alice@vm.example.com", Voice: Counts{New: 2, Old: 8, UrgentOld: 2}}},
		{"Messages-Waiting: no\r\n", Summary{}},
		{"messages-waiting:YES\nvoice-message:1/0\nfax-message: 3/4\n\nTo: <sip:alice@example.com>\nVoice-Message: bad\n",
			Summary{Waiting: true, Voice: Counts{New: 1}}},
	} {
		got, err := ParseSummary([]byte(tc.body))
		if err != nil || got != tc.want {
			t.Errorf("ParseSummary(%q) = %+v, %v; want %+v", tc.body, got, err, tc.want)
		}
	}
}

func TestParseSummaryRefuses(t *testing.T) {
	for _, body := range []string{
		"",
		"Voice-Message: 1/2\r\n",      // no Messages-Waiting
		"Messages-Waiting: maybe\r\n", // not yes or no
		"Messages-Waiting: yes\r\nVoice-Message: 1\r\n", // no old count
		"Messages-Waiting: yes\r\nVoice-Message: -1/2\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/2 (3/4\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 9999999999/2\r\n",
		"Messages-Waiting: yes\r\ngarbage\r\n",
	} {
		if got, err := ParseSummary([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseSummary(%q) = %+v, %v; want ErrMalformed", body, got, err)
		}
	}
}

func FuzzParseSummary(f *testing.F) {
	f.Add([]byte("Messages-Waiting: yes\r\nMessage-Account: sip:a@b\r\nVoice-Message: 2/8 (0/2)\r\n"))
	f.Add([]byte("Messages-Waiting: no\r\n\r\nTo: x\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseSummary(body)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		if err == nil && (s.Voice.New < 0 || s.Voice.Old < 0) {
			t.Fatalf("negative counts %+v", s)
		}
	})
}
