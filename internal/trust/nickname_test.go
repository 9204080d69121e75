package trust

import "testing"

func TestIsNickname(t *testing.T) {
	for cn, want := range map[string]bool{
		"wpservice local CA 0123456789af":  true,
		"wpservice local CA 0123456789AF":  false, // localca writes lower case
		"wpservice local CA 0123456789a":   false,
		"wpservice local CA 0123456789abc": false,
		"wpservice local CA 0123456789ag":  false,
		"xwpservice local CA 0123456789af": false,
		"wpservice local CA 0123456789af ": false,
		"Some Other CA":                    false,
		"":                                 false,
	} {
		if got := isNickname(cn); got != want {
			t.Errorf("isNickname(%q) = %v, want %v", cn, got, want)
		}
	}
}
