package sipstack

import (
	"net/netip"
	"sync"
	"time"
)

// buckets rate-limits messages per source address with token buckets, in two classes
// that cannot drain each other:
//
//   - a source the filter admits (loopback, the account's registrar and proxy, a peer
//     in one of our dialogs) may send admittedBurst messages at once and admittedRate
//     a second after that: far above one phone's traffic, so that a PBX relaying a
//     call centre's calls, or a load test from this machine, is never throttled;
//   - a stranger may send strangerBurst and strangerRate, and all strangers together
//     allStrangersBurst and allStrangersRate. A flood from many addresses empties
//     that shared bucket, and only that one.
//
// Each class tracks at most maxSources addresses: when its table is full, the ones
// whose bucket has filled again (quiet for a while) are forgotten. While the
// strangers' table stays full, a new stranger meets the shared bucket only; while the
// admitted table stays full (thousands of busy loopback addresses: a local process,
// which can do more than flood), a new admitted source is let through.
type buckets struct {
	now func() time.Time

	mu           sync.Mutex
	admitted     table
	strangers    table
	allStrangers bucket
}

// table is the buckets of one class of sources.
type table struct {
	rate, burst float64
	sources     map[netip.Addr]*bucket
}

// bucket is one token bucket.
type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func newBuckets(now func() time.Time) buckets {
	return buckets{
		now:          now,
		admitted:     table{rate: admittedRate, burst: admittedBurst, sources: map[netip.Addr]*bucket{}},
		strangers:    table{rate: strangerRate, burst: strangerBurst, sources: map[netip.Addr]*bucket{}},
		allStrangers: bucket{tokens: allStrangersBurst, at: now()},
	}
}

// take spends a token of src's bucket, in the admitted class or the strangers' (and
// then of the strangers' shared bucket too); false when one is empty.
func (b *buckets) take(src netip.Addr, admitted bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if admitted {
		sb := b.admitted.of(src, now)
		return sb == nil || sb.refill(now, b.admitted.rate, b.admitted.burst)
	}
	sb := b.strangers.of(src, now)
	if sb != nil && !sb.refill(now, b.strangers.rate, b.strangers.burst) {
		return false
	}
	if !b.allStrangers.refill(now, allStrangersRate, allStrangersBurst) {
		if sb != nil {
			sb.tokens++ // not spent after all
		}
		return false
	}
	return true
}

// of returns src's bucket, a full one if src is new; nil when the table is full of
// sources still busy.
func (t *table) of(src netip.Addr, now time.Time) *bucket {
	if sb := t.sources[src]; sb != nil {
		return sb
	}
	if len(t.sources) >= maxSources {
		t.forgetQuiet(now)
	}
	if len(t.sources) >= maxSources {
		return nil
	}
	sb := &bucket{tokens: t.burst, at: now}
	t.sources[src] = sb
	return sb
}

// forgetQuiet removes the sources whose bucket is full again.
func (t *table) forgetQuiet(now time.Time) {
	for a, sb := range t.sources {
		if sb.tokens+now.Sub(sb.at).Seconds()*t.rate >= t.burst {
			delete(t.sources, a)
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
