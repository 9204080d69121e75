package main

import (
	"context"
	"time"
)

// settleTime is how long after start-up the engine waits before it trims its resident
// memory: the time for the phone, the control server and the network watcher to have
// run their first steps, so that what they touched once is not paged back in at once.
const settleTime = 2 * time.Second

// trimWhenSettled is a helper for runUntilDone: once the engine has settled after
// start-up, it gives back the resident pages of the engine's own code and read-only
// data (trimExecutable), as a desktop application trims its working set after
// initialisation. Those pages stay in the page cache: what an idle engine never runs
// costs it no memory, and what a call runs comes back on first touch with a minor
// fault, no disk read. It is what the kernel reclaims first under memory pressure,
// done before the pressure comes.
//
// The helper then waits for the engine's end rather than returning: a goroutine's exit
// reads the runtime's function table, which would page part of it back in at once.
// For the same reason it logs nothing after the trim.
func trimWhenSettled(ctx context.Context) {
	t := time.NewTimer(settleTime)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	trimExecutable()
	<-ctx.Done()
}
