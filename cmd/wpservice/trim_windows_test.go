package main

import "testing"

// Windows takes the request to empty the working set (run on Windows; wine's
// memory manager keeps no working sets to empty).
func TestTrimExecutableEmptiesTheWorkingSet(t *testing.T) {
	if _, err := trimExecutable(); err != nil {
		t.Fatal(err)
	}
}
