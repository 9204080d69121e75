package main

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func newTestTB(t *testing.T) (*tb, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	tb, err := newTB(&log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tb.runCleanups)
	return tb, &log
}

// TestTBCleanupsRunOnceInReverse: cleanups run last-in first-out, and a
// second runCleanups (the signal handler racing the main loop) runs none
// again.
func TestTBCleanupsRunOnceInReverse(t *testing.T) {
	tb, _ := newTestTB(t)
	var mu sync.Mutex
	var order []int
	for i := range 3 {
		tb.Cleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, i)
		})
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(tb.runCleanups)
	}
	wg.Wait()
	if !slices.Equal(order, []int{2, 1, 0}) {
		t.Errorf("cleanups ran in order %v, want [2 1 0] once", order)
	}
}

func TestTBTempDirIsUnderRoot(t *testing.T) {
	tb, _ := newTestTB(t)
	a, b := tb.TempDir(), tb.TempDir()
	if a == b || filepath.Dir(a) != tb.root || filepath.Dir(b) != tb.root {
		t.Errorf("TempDir gave %s and %s, want two directories in %s", a, b, tb.root)
	}
}

// TestTBFailures: Fatal, Fatalf and Skipf stop the daemon with their
// message and mark it failed; Errorf only marks and logs.
func TestTBFailures(t *testing.T) {
	tests := []struct {
		name string
		call func(*tb)
		want string
	}{
		{"Fatal", func(tb *tb) { tb.Fatal("kamailio: ", "exited") }, "kamailio: exited"},
		{"Fatalf", func(tb *tb) { tb.Fatalf("baresip %s: %d", "bob", 7) }, "baresip bob: 7"},
		{"Skipf", func(tb *tb) { tb.Skipf("%s missing", "sipp") }, "cannot start: sipp missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, _ := newTestTB(t)
			defer func() {
				if got, ok := recover().(fatal); !ok || string(got) != tt.want {
					t.Errorf("recovered %q, want fatal %q", got, tt.want)
				}
				if !tb.Failed() {
					t.Error("not marked failed")
				}
			}()
			tt.call(tb)
		})
	}

	t.Run("Errorf", func(t *testing.T) {
		tb, log := newTestTB(t)
		if tb.Failed() {
			t.Fatal("failed before any error")
		}
		tb.Errorf("sipp still running after %v", "5s")
		if !tb.Failed() || !strings.Contains(log.String(), "peerd: sipp still running after 5s") {
			t.Errorf("Failed() = %v, log %q", tb.Failed(), log.String())
		}
	})
}
