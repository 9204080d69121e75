package audio

import "math"

// The voice activity detector's tuning. Levels are in dBFS (DBFS), times in
// frames of FrameMillis.
const (
	// vadFloorStart is the noise floor assumed before any has been measured:
	// a quiet room, so that the first words of a call are voice.
	vadFloorStart = -70.0
	// vadMargin is how far above the noise floor a frame must be to be
	// voice: speech's syllables rise well above it, steady noise does not.
	vadMargin = 9.0
	// vadQuiet is the level below which a frame is never voice, whatever
	// the floor: no speech a microphone picks up is that quiet.
	vadQuiet = -55.0
	// vadTonal is the prediction gain, in dB, of a frame whose waveform an
	// order-2 predictor follows closely: a tone (a sinusoid is predicted
	// exactly) or a strongly voiced vowel, never noise. Such a frame above
	// vadQuiet is voice even where it is as loud as the floor, so that a
	// held tone is not taken for the background.
	vadTonal = 20.0
	// The floor is the quietest frame of the last vadBlocks blocks of
	// vadBlockFrames frames each (1.6 s): the minimum statistics of the
	// background, which the pauses between words reveal and steady noise
	// fills within that time.
	vadBlockFrames = 10
	vadBlocks      = 8
	// vadHangover is how long voice is kept after its last frame (200 ms),
	// so that word ends, softer than their starts, are not cut.
	vadHangover = 10
)

// VADHangoverFrames is how many frames a VAD still calls voice after the last
// voiced one: what a sender suppressing silence goes on sending.
const VADHangoverFrames = vadHangover

// VAD is a voice activity detector for the frames a call sends: a frame is
// voice when it stands out from the noise floor (the minimum of the recent
// frames' levels) by vadMargin, or is tonal and not quiet; the decision
// holds vadHangover frames after the last such frame. It allocates nothing
// and is not safe for concurrent use.
type VAD struct {
	blocks   [vadBlocks]float64 // each block's quietest frame, in dBFS
	block    int                // the block being filled
	inBlock  int                // frames in it so far
	hangover int                // frames of voice left after the last voiced one
	noise    float64            // the level of the recent unvoiced frames, smoothed
}

// NewVAD returns a detector that has heard nothing yet: its floor is a quiet
// room's, and the first frame that is not quiet is voice.
func NewVAD() *VAD {
	v := &VAD{noise: MinDBFS}
	for i := range v.blocks {
		v.blocks[i] = vadFloorStart
	}
	return v
}

// Voice takes the next frame and says whether it is voice, hangover included.
func (v *VAD) Voice(pcm []int16) bool {
	level := DBFS(pcm)
	floor := v.track(level)
	voiced := level >= vadQuiet && (level >= floor+vadMargin || predictionGain(pcm) >= vadTonal)
	voice := voiced
	switch {
	case voiced:
		v.hangover = vadHangover
	case v.hangover > 0:
		v.hangover--
		voice = true
	}
	if !voiced {
		// What comfort noise should sound like: the background's level,
		// followed quickly when it falls, slowly when it rises.
		if v.noise == MinDBFS || level < v.noise {
			v.noise = level
		} else {
			v.noise += 0.25 * (level - v.noise)
		}
	}
	return voice
}

// NoiseDBFS is the level of the background heard in the recent frames that
// were not voice, in dBFS; MinDBFS before any.
func (v *VAD) NoiseDBFS() float64 { return v.noise }

// Floor is the noise floor the frames are weighed against, in dBFS.
func (v *VAD) Floor() float64 { return v.floor() }

// track adds a frame's level to the minimum statistics and returns the floor
// before it: the frame is weighed against what came before.
func (v *VAD) track(level float64) float64 {
	floor := v.floor()
	if v.inBlock == 0 || level < v.blocks[v.block] {
		v.blocks[v.block] = level
	}
	v.inBlock++
	if v.inBlock == vadBlockFrames {
		v.block = (v.block + 1) % vadBlocks
		v.inBlock = 0
	}
	return floor
}

func (v *VAD) floor() float64 {
	f := v.blocks[0]
	for _, b := range v.blocks[1:] {
		f = min(f, b)
	}
	return f
}

// predictionGain is the gain, in dB, of the best order-2 linear predictor of
// pcm: its power over the prediction error's, by the covariance method (the
// normal equations over the samples that have two before them, so that the
// block's edges cost nothing). A sinusoid gives a large gain (two past
// samples predict the next exactly), white noise about 0 dB.
func predictionGain(pcm []int16) float64 {
	var c00, c01, c02, c11, c12, c22 float64
	for n := 2; n < len(pcm); n++ {
		x0, x1, x2 := float64(pcm[n]), float64(pcm[n-1]), float64(pcm[n-2])
		c00 += x0 * x0
		c01 += x0 * x1
		c02 += x0 * x2
		c11 += x1 * x1
		c12 += x1 * x2
		c22 += x2 * x2
	}
	if c00 == 0 {
		return 0
	}
	det := c11*c22 - c12*c12
	if det <= 1e-9*c11*c22 {
		return 0 // too little signal to fit: no tone
	}
	a1 := (c01*c22 - c02*c12) / det
	a2 := (c02*c11 - c01*c12) / det
	e := max(c00-a1*c01-a2*c02, c00*1e-9)
	return 10 * math.Log10(c00/e)
}
