package sipstack

import (
	"testing"
	"time"
)

func TestNextRegStep(t *testing.T) {
	tests := []struct {
		name      string
		out       regOutcome
		requested int
		failures  int
		want      regStep
	}{
		{"granted via header", regOutcome{Code: 200, Reason: "OK", Granted: 60}, 300, 3,
			regStep{Event: RegEvent{State: RegRegistered, Code: 200, Reason: "OK", Expires: 60}, Emit: true, Wait: 51 * time.Second, Requested: 300}},
		{"no expiry named uses requested", regOutcome{Code: 200, Reason: "OK"}, 300, 0,
			regStep{Event: RegEvent{State: RegRegistered, Code: 200, Reason: "OK", Expires: 300}, Emit: true, Wait: 255 * time.Second, Requested: 300}},
		{"tiny expiry floors at 1s", regOutcome{Code: 200, Granted: 1}, 300, 0,
			regStep{Event: RegEvent{State: RegRegistered, Code: 200, Expires: 1}, Emit: true, Wait: time.Second, Requested: 300}},
		{"public address seen: again at once, silently", regOutcome{Code: 200, Reason: "OK", Granted: 60, Rebind: true}, 300, 0,
			regStep{Requested: 300}},
		{"423 raises interval silently", regOutcome{Code: 423, Reason: "Interval Too Brief", MinExpires: 600}, 60, 1,
			regStep{Requested: 600, Failures: 1}},
		{"423 without usable Min-Expires fails", regOutcome{Code: 423, Reason: "Interval Too Brief", MinExpires: 60}, 60, 0,
			regStep{Event: RegEvent{State: RegFailed, Code: 423, Reason: "Interval Too Brief", Retry: 2 * time.Second}, Emit: true, Wait: 2 * time.Second, Requested: 60, Failures: 1}},
		{"wrong password", regOutcome{Code: 401, Reason: "Unauthorized"}, 300, 0,
			regStep{Event: RegEvent{State: RegFailed, Code: 401, Reason: "Unauthorized", Retry: 2 * time.Second}, Emit: true, Wait: 2 * time.Second, Requested: 300, Failures: 1}},
		{"third failure", regOutcome{Code: 403, Reason: "Forbidden"}, 300, 2,
			regStep{Event: RegEvent{State: RegFailed, Code: 403, Reason: "Forbidden", Retry: 8 * time.Second}, Emit: true, Wait: 8 * time.Second, Requested: 300, Failures: 3}},
		{"transport error", regOutcome{Reason: "connection refused"}, 300, 20,
			regStep{Event: RegEvent{State: RegFailed, Reason: "connection refused", Retry: maxBackoff}, Emit: true, Wait: maxBackoff, Requested: 300, Failures: 21}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nextRegStep(tt.out, tt.requested, tt.failures)
			if got != tt.want {
				t.Fatalf("nextRegStep:\n got  %+v\n want %+v", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second,
		64 * time.Second, 128 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(1000); got != maxBackoff {
		t.Errorf("backoff(1000) = %v, want cap %v", got, maxBackoff)
	}
}

func TestRedactCredentials(t *testing.T) {
	msg := "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"alice\", response=\"deadbeef\"\r\n" +
		"proxy-authorization: Digest response=\"cafe\"\r\nX-Authorization-Hint: keep\r\n\r\n"
	got := redactCredentials(msg)
	want := "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest [redacted]\r\n" +
		"proxy-authorization: Digest [redacted]\r\nX-Authorization-Hint: keep\r\n\r\n"
	if got != want {
		t.Fatalf("redactCredentials:\n%q\nwant\n%q", got, want)
	}
}
