package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveLoadOwnerOnly(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	type doc struct{ A string }
	if err := s.Load("account", &doc{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load missing: %v", err)
	}
	if err := s.Save("account", doc{"x"}); err != nil {
		t.Fatal(err)
	}
	var got doc
	if err := s.Load("account", &got); err != nil || got.A != "x" {
		t.Fatalf("load: %v %+v", err, got)
	}
	fi, err := os.Stat(filepath.Join(s.Dir(), "account.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	if err := s.Save("../escape", doc{}); err == nil {
		t.Error("saved a document outside the store")
	}
}

func TestTokenStable(t *testing.T) {
	s, _ := Open(t.TempDir())
	a, err := s.Token("token")
	if err != nil || len(a) != 64 {
		t.Fatalf("token %q %v", a, err)
	}
	b, _ := s.Token("token")
	if a != b {
		t.Error("token changed between calls")
	}
	fi, _ := os.Stat(filepath.Join(s.Dir(), "token"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token mode %v", fi.Mode())
	}
}
