package sipstack

import (
	"net/netip"
	"sync"
	"time"
)

// buckets rate-limits messages per source address and in total, with token buckets:
// each source may send sourceBurst messages at once and sourceRate a second after
// that; all sources together totalBurst and totalRate. At most maxSources addresses
// are tracked: when the table is full, the ones whose bucket has filled again (quiet
// for a while) are forgotten, and while it stays full, a new address shares the
// total bucket only.
type buckets struct {
	now func() time.Time

	mu      sync.Mutex
	total   bucket
	sources map[netip.Addr]*bucket
}

// bucket is one token bucket.
type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func newBuckets(now func() time.Time) buckets {
	return buckets{now: now, total: bucket{tokens: totalBurst, at: now()}, sources: map[netip.Addr]*bucket{}}
}

// take spends a token of src's bucket and of the total one; false when either is empty.
func (b *buckets) take(src netip.Addr) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	sb := b.sources[src]
	if sb == nil {
		if len(b.sources) >= maxSources {
			b.forgetQuiet(now)
		}
		if len(b.sources) < maxSources {
			sb = &bucket{tokens: sourceBurst, at: now}
			b.sources[src] = sb
		}
	}
	if sb != nil && !sb.refill(now, sourceRate, sourceBurst) {
		return false
	}
	if !b.total.refill(now, totalRate, totalBurst) {
		if sb != nil {
			sb.tokens++ // not spent after all
		}
		return false
	}
	return true
}

// forgetQuiet removes the sources whose bucket is full again.
func (b *buckets) forgetQuiet(now time.Time) {
	for a, sb := range b.sources {
		if sb.tokens+now.Sub(sb.at).Seconds()*sourceRate >= sourceBurst {
			delete(b.sources, a)
		}
	}
}

// refill adds the tokens earned since the last count, up to burst, and spends one
// if there is one.
func (k *bucket) refill(now time.Time, rate, burst float64) bool {
	k.tokens = min(burst, k.tokens+now.Sub(k.at).Seconds()*rate)
	k.at = now
	if k.tokens < 1 {
		return false
	}
	k.tokens--
	return true
}
