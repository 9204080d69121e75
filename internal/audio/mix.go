package audio

import "math"

// Mix adds src into dst sample by sample, saturating at the int16 limits instead of
// wrapping. It mixes min(len(dst), len(src)) samples.
func Mix(dst, src []int16) {
	n := min(len(dst), len(src))
	for i := range n {
		dst[i] = saturate(int32(dst[i]) + int32(src[i]))
	}
}

// Gain multiplies every sample of pcm by gain in place, rounding to nearest and
// saturating at the int16 limits. A gain of 1 leaves pcm untouched; 0 silences it;
// a negative gain also inverts the polarity.
func Gain(pcm []int16, gain float64) {
	if gain == 1 {
		return
	}
	for i, s := range pcm {
		v := math.Round(float64(s) * gain)
		switch {
		case v > math.MaxInt16:
			pcm[i] = math.MaxInt16
		case v < math.MinInt16:
			pcm[i] = math.MinInt16
		default:
			pcm[i] = int16(v)
		}
	}
}

func saturate(v int32) int16 {
	return int16(max(math.MinInt16, min(math.MaxInt16, v)))
}
