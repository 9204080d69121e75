package phone

import (
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func TestDialPassesHeadersInOrder(t *testing.T) {
	r := newRig(t, nil)
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: "bob", Headers: map[string]string{"X-CRM-Id": "42", "Subject": "order 7"}})
	d := r.sip.lastDial(t)
	want := []Header{{"Subject", "order 7"}, {"X-CRM-Id", "42"}}
	if len(d.headers) != len(want) || d.headers[0] != want[0] || d.headers[1] != want[1] {
		t.Fatalf("dialed with headers %q, want %q", d.headers, want)
	}
}

// Every refused dial answers invalid_args naming what was wrong, takes no line,
// opens no RTP and sends nothing.
func TestDialRefusesInjection(t *testing.T) {
	r := newRig(t, nil)
	tests := []struct {
		name    string
		args    api.DialArgs
		mention string // the error message must contain this
	}{
		{"CRLF in to", api.DialArgs{To: "bob\r\nX-Evil: 1"}, "to:"},
		{"LF in uri", api.DialArgs{To: "sip:bob@127.0.0.1\nVia: x"}, "to:"},
		{"NUL in to", api.DialArgs{To: "bob\x00"}, "to:"},
		{"escaped CRLF in to", api.DialArgs{To: "bob%0d%0aX-Evil:1"}, "to:"},
		{"angle bracket in to", api.DialArgs{To: "<sip:bob@127.0.0.1>"}, "to:"},
		{"closing angle and params", api.DialArgs{To: "sip:bob@127.0.0.1>;tag=x"}, "to:"},
		{"semicolon in bare user", api.DialArgs{To: "bob;maddr=10.0.0.1"}, "to:"},
		{"question mark in uri", api.DialArgs{To: "sip:bob@127.0.0.1?Route=%3Csip:evil%3E"}, "to:"},
		{"reserved header", api.DialArgs{To: "bob", Headers: map[string]string{"Via": "SIP/2.0/UDP evil"}}, `"Via"`},
		{"compact reserved header", api.DialArgs{To: "bob", Headers: map[string]string{"m": "<sip:evil>"}}, `"m"`},
		{"CRLF in header value", api.DialArgs{To: "bob", Headers: map[string]string{"X-CRM-Id": "42\r\nVia: evil"}}, `"X-CRM-Id"`},
		{"colon in header name", api.DialArgs{To: "bob", Headers: map[string]string{"X-A: 1\r\nVia": "x"}}, `"X-A: 1\r\nVia"`},
		{"too many headers", api.DialArgs{To: "bob", Headers: manyHeaders(17)}, "at most 16"},
	}
	for _, tt := range tests {
		_, err := r.do(api.CmdCallDial.Name, &tt.args)
		if apiCode(err) != api.CodeInvalidArgs || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("%s: err %v, want invalid_args mentioning %s", tt.name, err, tt.mention)
		}
	}
	r.sip.mu.Lock()
	dialed := len(r.sip.dialed)
	r.sip.mu.Unlock()
	r.smu.Lock()
	streams := len(r.stream)
	r.smu.Unlock()
	if dialed != 0 || streams != 0 {
		t.Fatalf("refused dials sent %d INVITEs and opened %d streams", dialed, streams)
	}
	if st := r.mustDo(api.CmdStatus.Name, nil).(api.Snapshot); len(st.Lines) != 0 {
		t.Fatalf("refused dials hold lines: %+v", st.Lines)
	}
}

func manyHeaders(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m["X-H"+string(rune('a'+i))] = "v"
	}
	return m
}

func TestAccountDisplayName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", "Alice Smith", true},
		{"quotes and backslash are escaped later", `Al "the" \ Boss`, true},
		{"header syntax is just text", `<sip:x@y>;tag=1?Route=x`, true},
		{"utf-8", "Zoë 東京", true},
		{"outer spaces are trimmed", "  Alice  ", true},
		{"CRLF inside", "Alice\r\nVia: SIP/2.0/UDP evil", false},
		{"LF inside", "Alice\nX: y", false},
		{"NUL", "Alice\x00", false},
		{"escape sequence", "\x1b[2JAlice", false},
		{"tab", "Al\tice", false},
		{"C1 control", "Ali\u0085ce", false},
		{"invalid utf-8", "Al\xffice", false},
		{"too long", strings.Repeat("a", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			res, err := r.do(api.CmdAccountSet.Name, &api.AccountArgs{DisplayName: ptr(tt.in)})
			if !tt.ok {
				if apiCode(err) != api.CodeInvalidArgs || !strings.Contains(err.Error(), "displayName") {
					t.Fatalf("account.set %q: err %v, want invalid_args naming displayName", tt.in, err)
				}
				r.sip.mu.Lock()
				got := r.sip.acc.DisplayName
				r.sip.mu.Unlock()
				if got != "" {
					t.Fatalf("refused display name reached SIP as %q", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("account.set %q: %v", tt.in, err)
			}
			if got := res.(api.Account).DisplayName; got != strings.TrimSpace(tt.in) {
				t.Fatalf("display name %q, want %q", got, strings.TrimSpace(tt.in))
			}
		})
	}
}
