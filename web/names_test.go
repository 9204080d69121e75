package web

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// TestLibraryNamesMatchTheProtocol keeps the JS library's COMMANDS and EVENTS in
// step with internal/api: a command or event added to one side only fails here.
func TestLibraryNamesMatchTheProtocol(t *testing.T) {
	src, err := fs.ReadFile(Files, "lib/wpservice.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"COMMANDS", api.Commands},
		{"EVENTS", api.Events},
	} {
		got := jsStringArray(t, string(src), tc.name)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(slices.Sorted(slices.Values(got)), want) {
			t.Errorf("wpservice.js %s = %v\nwant (internal/api) %v", tc.name, got, want)
		}
	}
}

// jsStringArray returns the string literals of `export const NAME = [ ... ];`.
func jsStringArray(t *testing.T, src, name string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)export const ` + name + ` = \[(.*?)\];`).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("no `export const %s = [...]` in wpservice.js", name)
	}
	var out []string
	for _, s := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, s[1])
	}
	if len(out) == 0 || strings.TrimSpace(m[1]) == "" {
		t.Fatalf("%s is empty", name)
	}
	return out
}

// TestLibraryNamesEveryCause keeps the page's words for an ended call (texts.js
// CAUSES) and the client's type (wpservice.d.ts Cause.kind) in step with api.Causes.
func TestLibraryNamesEveryCause(t *testing.T) {
	want := slices.Sorted(slices.Values(api.Causes))
	texts, err := fs.ReadFile(Files, "lib/texts.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)export const CAUSES = Object\.freeze\(\{(.*?)\n\}\);`).FindStringSubmatch(string(texts))
	if m == nil {
		t.Fatal("no `export const CAUSES = Object.freeze({...});` in texts.js")
	}
	var keys []string
	for _, k := range regexp.MustCompile(`(?m)^  (\w+):`).FindAllStringSubmatch(m[1], -1) {
		keys = append(keys, k[1])
	}
	if got := slices.Sorted(slices.Values(keys)); !slices.Equal(got, want) {
		t.Errorf("texts.js CAUSES has %v\nwant (internal/api) %v", got, want)
	}

	types, err := os.ReadFile("lib/wpservice.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	k := regexp.MustCompile(`kind: ((?:"\w+"(?: \| )?)+);`).FindStringSubmatch(string(types))
	if k == nil {
		t.Fatal("no cause `kind:` union in wpservice.d.ts")
	}
	var kinds []string
	for _, s := range regexp.MustCompile(`"(\w+)"`).FindAllStringSubmatch(k[1], -1) {
		kinds = append(kinds, s[1])
	}
	if got := slices.Sorted(slices.Values(kinds)); !slices.Equal(got, want) {
		t.Errorf("wpservice.d.ts Cause.kind is %v\nwant (internal/api) %v", got, want)
	}
}
