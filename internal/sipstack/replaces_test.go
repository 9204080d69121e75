package sipstack

import (
	"net/url"
	"testing"
)

func TestIsReplacesHeader(t *testing.T) {
	for headers, want := range map[string]bool{
		"Replaces=" + url.QueryEscape("abc@h;to-tag=1;from-tag=2"): true,
		"Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2":                 true,
		"Replaces=":               false,
		"Replaces=abc&Subject=hi": false, // a second header
		"Replaces=abc;to-tag=1":   false, // not escaped
		"replaces=abc":            false,
		"Subject=hi":              false,
		"Replaces=a b":            false,
		"":                        false,
	} {
		if got := isReplacesHeader(headers); got != want {
			t.Errorf("isReplacesHeader(%q) = %v, want %v", headers, got, want)
		}
	}
}
