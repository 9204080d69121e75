package netwatch

import (
	"context"
	"time"
)

// debounce passes the bursts of raw to out as one value each, until ctx ends: a
// burst is reported once raw has stayed quiet for settle, or maxDelay after its first
// message if it never does.
func debounce(ctx context.Context, raw <-chan struct{}, out chan<- struct{}, settle, maxDelay time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-raw:
		}
		deadline := time.NewTimer(maxDelay)
		quiet := time.NewTimer(settle)
	burst:
		for {
			select {
			case <-ctx.Done():
				deadline.Stop()
				quiet.Stop()
				return
			case <-raw:
				quiet.Reset(settle)
			case <-quiet.C:
				break burst
			case <-deadline.C:
				break burst
			}
		}
		deadline.Stop()
		quiet.Stop()
		signal(out)
	}
}
