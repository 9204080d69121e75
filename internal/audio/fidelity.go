package audio

import "math"

// Measures of how faithfully a processed signal keeps a reference: what the
// quality tests of concealment, the jitter buffer and echo cancellation score
// audio with, since no perceptual (PESQ-like) model ships as a library.

// Segmental SNR bounds, as usual for speech: a segment's SNR is clamped, so a
// perfect segment or a lost one does not swamp the mean, and segments where the
// reference is quieter than segSilence dBFS are not scored.
const (
	segSNRMin  = -10.0
	segSNRMax  = 35.0
	segSilence = -50.0
)

// SegmentalSNR is the mean, over segments of seg samples, of the signal-to-noise
// ratio of deg against ref (the noise being their difference), in dB. Both are
// compared over the shorter one's length; silent segments of ref are skipped.
// It returns segSNRMin when no segment is scored.
func SegmentalSNR(ref, deg []int16, seg int) float64 {
	n := min(len(ref), len(deg))
	var sum float64
	var scored int
	for at := 0; at+seg <= n; at += seg {
		r, d := ref[at:at+seg], deg[at:at+seg]
		if DBFS(r) < segSilence {
			continue
		}
		var sig, noise float64
		for i := range r {
			e := float64(r[i]) - float64(d[i])
			sig += float64(r[i]) * float64(r[i])
			noise += e * e
		}
		snr := segSNRMax
		if noise > 0 {
			snr = min(max(10*math.Log10(sig/noise), segSNRMin), segSNRMax)
		}
		sum += snr
		scored++
	}
	if scored == 0 {
		return segSNRMin
	}
	return sum / float64(scored)
}

// Delay is the lag, in samples from 0 to maxLag, at which deg best matches ref:
// the one of greatest normalised cross-correlation of ref with deg shifted back
// by it. It is how long a pipeline held the audio.
func Delay(ref, deg []int16, maxLag int) int {
	best, bestScore := 0, math.Inf(-1)
	for lag := 0; lag <= maxLag && lag < len(deg); lag++ {
		n := min(len(ref), len(deg)-lag)
		var corr, energy float64
		for i := range n {
			corr += float64(ref[i]) * float64(deg[i+lag])
			energy += float64(deg[i+lag]) * float64(deg[i+lag])
		}
		if energy == 0 {
			continue
		}
		if score := corr / math.Sqrt(energy); score > bestScore {
			best, bestScore = lag, score
		}
	}
	return best
}

// SpeechLike returns n samples at rate of a speech-like test signal: voiced
// syllables (harmonics of a pitch gliding between 95 and 185 Hz, by up to 15 Hz
// a syllable as an intonation does, shaped by three
// formants that move from syllable to syllable) at about four syllables a
// second, with short pauses between words, peaking near -10 dBFS. Its band
// reaches 3.4 kHz at 8 kHz and 7 kHz at higher rates. The same seed gives the
// same signal.
func SpeechLike(rate, n int, seed uint64) []int16 {
	return speechLike(rate, n, seed, true)
}

// VoicedSpeechLike is SpeechLike without its unvoiced consonants: the signal a
// pitch-based concealment is meant for, on which it is measured.
func VoicedSpeechLike(rate, n int, seed uint64) []int16 {
	return speechLike(rate, n, seed, false)
}

func speechLike(rate, n int, seed uint64, consonants bool) []int16 {
	out := make([]int16, n)
	top := 7000.0
	if rate <= 8000 {
		top = 3400
	}
	top = min(top, 0.45*float64(rate))
	rnd := seed*0x9E3779B97F4A7C15 + 1
	next := func() float64 { // xorshift: a reproducible [0,1)
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return float64(rnd>>11) / (1 << 53)
	}
	var phase float64
	formants := [3]float64{}
	f0b := 95 + 90*next()
	for at, syllable := 0, 0; at < n; at += syllable {
		syllable = int(float64(rate) * (0.15 + 0.2*next())) // 150 to 350 ms
		formants = [3]float64{300 + 500*next(), 900 + 1300*next(), 2200 + 1000*next()}
		voiced := next() > 0.15 // some syllables are pauses
		consonant := 0.0
		if next() > 0.5 && consonants {
			consonant = 0.05 * float64(rate) / float64(syllable) // 50 ms
		}
		f0a := f0b
		f0b = min(max(f0a+30*(next()-0.5), 95), 185)
		for i := at; i < min(at+syllable, n); i++ {
			t := float64(i-at) / float64(syllable)
			f0 := f0a + (f0b-f0a)*t
			phase += 2 * math.Pi * f0 / float64(rate)
			if !voiced {
				continue
			}
			if t < consonant {
				burst := math.Sin(math.Pi * t / consonant)
				out[i] = int16(4000 * burst * (2*next() - 1))
				continue
			}
			env := math.Sin(math.Pi * (t - consonant) / (1 - consonant)) // the syllable's rise and fall
			v := 0.15 * (2*next() - 1)
			for h := 1; float64(h)*f0 < top; h++ {
				f := float64(h) * f0
				var a float64
				for k, fc := range formants {
					bw := 80.0 + 40*float64(k)
					a += 1 / (1 + ((f-fc)/bw)*((f-fc)/bw)) / float64(k+1)
				}
				v += a * math.Sin(float64(h)*phase)
			}
			out[i] = int16(max(min(3000*env*v, 32767), -32768))
		}
	}
	return out
}
