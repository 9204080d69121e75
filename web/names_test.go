package web

import (
	"io/fs"
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
