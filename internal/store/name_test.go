package store

import (
	"strings"
	"testing"
)

// A document's name is a file name in the data directory: only the names the store
// has always taken pass, so none can leave the directory or hide as a dot file.
func TestDocumentNames(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "account", "token", "ca_key", "web-pairings", "x9", strings.Repeat("a", 32)} {
		if err := s.Save(name, 1); err != nil {
			t.Errorf("Save(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "Account", "9lives", "_x", "-x", "a.b", "../token", "a/b", "a b", "é", "tokén",
		strings.Repeat("a", 33), "a\x00"} {
		if err := s.Save(name, 1); err == nil {
			t.Errorf("Save(%q) was accepted", name)
		}
	}
}
