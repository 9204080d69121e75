package main

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// The trim helper waits for the engine to settle, trims, and then stays until the
// engine ends (a goroutine's exit would page the runtime's function table back in);
// it ends with the engine's context, before or after its trim.
func TestTrimWhenSettledStaysUntilTheEnd(t *testing.T) {
	for _, wait := range []time.Duration{settleTime / 2, settleTime * 2} {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				trimWhenSettled(ctx)
				close(done)
			}()
			time.Sleep(wait)
			synctest.Wait()
			select {
			case <-done:
				t.Fatalf("the helper returned %v after start, with the engine still running", wait)
			default:
			}
			cancel()
			<-done
		})
	}
}
