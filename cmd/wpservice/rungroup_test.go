package main

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
)

// runUntilDone returns only once each helper has, however long a helper takes to
// stop after its context ends.
func TestRunUntilDoneWaitsForEveryHelper(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		release := make(chan struct{})
		slowHelper := func(ctx context.Context) {
			<-ctx.Done()
			<-release // still closing
		}
		untilDone := func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		}
		done := make(chan error, 1)
		go func() { done <- runUntilDone(ctx, untilDone, nil, slowHelper) }()

		cancel()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("runUntilDone returned while a helper was still running")
		default:
		}
		close(release)
		if err := <-done; err != nil {
			t.Errorf("runUntilDone = %v", err)
		}
	})
}

// When run ends on its own (an error), the helpers are stopped and its error is
// returned.
func TestRunUntilDoneStopsHelpersWhenRunEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBroken := errors.New("broken")
		helperStopped := false
		err := runUntilDone(t.Context(),
			func(context.Context) error { return errBroken },
			func(ctx context.Context) { <-ctx.Done(); helperStopped = true })
		if !errors.Is(err, errBroken) || !helperStopped {
			t.Errorf("runUntilDone = %v, helper stopped %v; want %v and stopped", err, helperStopped, errBroken)
		}
	})
}
