package phone

import (
	"regexp"
	"testing"
)

// The template's placeholders and the file name's safe characters are plain code;
// these regexps are what they must match, the rules as the docs state them.
var (
	placeholderRE = regexp.MustCompile(`\{[a-z]*\}`)
	unsafeCharsRE = regexp.MustCompile(`[^A-Za-z0-9._+@-]+`)
)

func FuzzRecordingNameAgreesWithItsRegexps(f *testing.F) {
	for _, s := range []string{"", "{date}-{time}", "{date}{time}{}", "{peer}{", "{{peer}}", "{ab{cd}", "{A}{}x", "héllo wörld/..\\:", "\xff\xfe{x}", "a  b\t\tc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got []string
		replaced := placeholders(s, func(p string) string { got = append(got, p); return "<" + p + ">" })
		want := placeholderRE.FindAllString(s, -1)
		if len(got) != len(want) {
			t.Fatalf("placeholders(%q) found %q, the regexp %q", s, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("placeholders(%q) found %q, the regexp %q", s, got, want)
			}
		}
		if w := placeholderRE.ReplaceAllStringFunc(s, func(p string) string { return "<" + p + ">" }); replaced != w {
			t.Fatalf("placeholders(%q) made %q, the regexp %q", s, replaced, w)
		}
		if got, want := safeName(s), unsafeCharsRE.ReplaceAllString(s, "_"); got != want {
			t.Fatalf("safeName(%q) = %q, the regexp %q", s, got, want)
		}
	})
}
