package phone

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/control"
)

func TestSplitDialString(t *testing.T) {
	tests := []struct {
		in, target, digits string
		bad                bool
	}{
		{in: "sip:bob@pbx.example", target: "sip:bob@pbx.example"},
		{in: " 1234 ", target: "1234"},
		{in: "1234,5678#", target: "1234", digits: "5678#"},
		{in: "1234,,12,34", target: "1234", digits: "1234"},
		{in: "sip:ivr@pbx,1*A", target: "sip:ivr@pbx", digits: "1*A"},
		{in: "", bad: true},
		{in: "1234,", bad: true},
		{in: "1234,12x", bad: true},
		{in: "1234,1\r\n2", bad: true},
		{in: "bob\r\nX-Evil: 1", target: "bob\r\nX-Evil: 1"}, // refused later by the SIP target check
	}
	for _, tt := range tests {
		target, digits, err := splitDialString(tt.in)
		if tt.bad {
			if err == nil || control.WireError(err).Code != api.CodeInvalidArgs {
				t.Errorf("splitDialString(%q): err = %v, want invalid_args", tt.in, err)
			}
			continue
		}
		if err != nil || target != tt.target || digits != tt.digits {
			t.Errorf("splitDialString(%q) = %q, %q, %v; want %q, %q", tt.in, target, digits, err, tt.target, tt.digits)
		}
	}
}

func TestValidDigits(t *testing.T) {
	for _, ok := range []string{"0123456789", "*#", "ABCD", "abcd"} {
		if err := validDigits(ok); err != nil {
			t.Errorf("validDigits(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "E", "1 2", "12\n", "ü"} {
		if err := validDigits(bad); err == nil {
			t.Errorf("validDigits(%q) accepted", bad)
		}
	}
}
