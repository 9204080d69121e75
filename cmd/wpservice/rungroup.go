package main

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// runUntilDone calls run until ctx is done or run returns, and beside it each helper
// that is not nil; a helper must return once its context ends, which happens when run
// returns. runUntilDone returns run's error only when every goroutine it started has
// returned, so what they use can be closed after it.
func runUntilDone(ctx context.Context, run func(context.Context) error, helpers ...func(context.Context)) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var g errgroup.Group
	g.Go(func() error {
		defer stop() // run's end is the helpers' end
		return run(ctx)
	})
	for _, help := range helpers {
		if help != nil {
			g.Go(func() error {
				help(ctx)
				return nil
			})
		}
	}
	return g.Wait()
}
