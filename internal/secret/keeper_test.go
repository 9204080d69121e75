package secret

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeKeyring is an in-memory Keeper whose steps can fail, lie or hang.
type fakeKeyring struct {
	setErr, getErr, deleteErr error
	wrongValue                bool          // Get answers something else than what was Set
	block                     chan struct{} // when non-nil, Set waits for it to close

	mu      sync.Mutex
	entries map[string]string
	values  []string // every value ever Set, to check none leaks into logs
}

func (k *fakeKeyring) Kind() string { return KindKeyring }

func (k *fakeKeyring) Set(name, value string) error {
	if k.block != nil {
		<-k.block
	}
	if k.setErr != nil {
		return k.setErr
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.entries == nil {
		k.entries = make(map[string]string)
	}
	k.entries[name] = value
	k.values = append(k.values, value)
	return nil
}

func (k *fakeKeyring) Get(name string) (string, error) {
	if k.getErr != nil {
		return "", k.getErr
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.entries[name]
	if !ok {
		return "", ErrNotFound
	}
	if k.wrongValue {
		return v + "?", nil
	}
	return v, nil
}

func (k *fakeKeyring) Delete(name string) error {
	if k.deleteErr != nil {
		return k.deleteErr
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.entries[name]; !ok {
		return ErrNotFound
	}
	delete(k.entries, name)
	return nil
}

func (k *fakeKeyring) left() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.entries)
}

func TestChoose(t *testing.T) {
	errBackend := errors.New("backend failure")
	tests := []struct {
		name     string
		kr       *fakeKeyring
		wantKind string
		wantErr  error // expected in the fallback log line
		wantLeft int   // probe entries left in the keyring
	}{
		{"working keyring", &fakeKeyring{}, KindKeyring, nil, 0},
		{"set fails", &fakeKeyring{setErr: errBackend}, KindFile, errBackend, 0},
		{"get fails", &fakeKeyring{getErr: errBackend}, KindFile, errBackend, 0},
		{"get lies", &fakeKeyring{wrongValue: true}, KindFile, ErrProbeMismatch, 0},
		{"delete fails", &fakeKeyring{deleteErr: errBackend}, KindFile, errBackend, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			fallback := &File{Path: filepath.Join(t.TempDir(), "secrets.json")}

			got := choose(tc.kr, fallback, log, time.Second)

			if got.Kind() != tc.wantKind {
				t.Fatalf("Kind() = %q, want %q", got.Kind(), tc.wantKind)
			}
			if tc.wantKind == KindFile {
				if got != Keeper(fallback) {
					t.Error("choose did not return the fallback File")
				}
				out := logs.String()
				if !strings.Contains(out, "passwords kept in a file, owner-only") ||
					!strings.Contains(out, fallback.Path) ||
					!strings.Contains(out, tc.wantErr.Error()) {
					t.Errorf("fallback log lacks the reason or the file:\n%s", out)
				}
			}
			if n := tc.kr.left(); n != tc.wantLeft {
				t.Errorf("%d probe entries left in the keyring, want %d", n, tc.wantLeft)
			}
			for _, v := range tc.kr.values {
				if strings.Contains(logs.String(), v) {
					t.Errorf("probe value %q appears in the log", v)
				}
			}
		})
	}
}

func TestChooseGivesUpOnAHungKeyring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kr := &fakeKeyring{block: make(chan struct{})}
		fallback := &File{Path: filepath.Join(t.TempDir(), "secrets.json")}
		var logs bytes.Buffer

		start := time.Now()
		got := choose(kr, fallback, slog.New(slog.NewTextHandler(&logs, nil)), ProbeTimeout)

		if got.Kind() != KindFile {
			t.Errorf("Kind() = %q, want %q", got.Kind(), KindFile)
		}
		if waited := time.Since(start); waited != ProbeTimeout {
			t.Errorf("waited %v, want exactly %v", waited, ProbeTimeout)
		}
		if !strings.Contains(logs.String(), ErrTimeout.Error()) {
			t.Errorf("log does not say the keyring timed out:\n%s", logs.String())
		}
		close(kr.block) // let the abandoned probe finish inside the bubble
	})
}

func TestChooseNilLogger(t *testing.T) {
	got := choose(&fakeKeyring{setErr: errors.New("x")}, &File{Path: "unused"}, nil, time.Second)
	if got.Kind() != KindFile {
		t.Fatalf("Kind() = %q, want %q", got.Kind(), KindFile)
	}
}
