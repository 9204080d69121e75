package opus

import "time"

// frameTimes are the packet durations the codec sends: single Opus frames of
// 10, 20, 40 or 60 ms (RFC 6716 §2.1.4; 2.5 and 5 ms frames are not for speech).
var frameTimes = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond}

// FrameTime is the longest packet duration the codec sends within want (at
// least 10 ms): what a peer's a=ptime of 30 ms gets is 20 ms packets.
func FrameTime(want time.Duration) time.Duration {
	best := frameTimes[0]
	for _, d := range frameTimes {
		if d <= want {
			best = d
		}
	}
	return best
}
