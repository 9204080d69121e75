package media

import (
	"fmt"
	"math"

	"github.com/wpservice/wpservice/internal/audio"
)

// ComfortNoisePT is the static payload type of comfort noise at 8000 Hz
// (RFC 3389 section 4, RFC 3551 table 4).
const ComfortNoisePT = 13

// maxCNOrder bounds the spectral model a CN payload may carry: RFC 3389
// section 3.2 puts no limit on it, G.711 Appendix II and every sender use at
// most 12 reflection coefficients; more are ignored.
const maxCNOrder = 12

// comfortNoise is one CN payload (RFC 3389 section 3): the noise level, in
// -dBov (0 to 127: the level of a full-scale square wave is 0 dBov), and
// the reflection coefficients of an all-pole model of its spectrum, from
// -1 to 1; none for white noise.
type comfortNoise struct {
	level  uint8
	order  int
	coeffs [maxCNOrder]float64
}

// parseComfortNoise reads a CN payload from the network. The first octet is
// the level, whose top bit is reserved and ignored (section 3.1); each
// further octet N is the coefficient (N-127)/128 (section 3.2).
func parseComfortNoise(b []byte) (comfortNoise, error) {
	if len(b) == 0 {
		return comfortNoise{}, fmt.Errorf("%w: empty comfort noise payload", ErrBadPacket)
	}
	cn := comfortNoise{level: b[0] & 0x7f, order: min(len(b)-1, maxCNOrder)}
	for i := range cn.order {
		cn.coeffs[i] = (float64(b[1+i]) - 127) / 128
	}
	return cn, nil
}

// appendComfortNoise appends the CN payload of the level alone (white
// noise): RFC 3389 lets the spectral coefficients out.
func appendComfortNoise(dst []byte, level uint8) []byte {
	return append(dst, min(level, 127))
}

// noiseLevel is the CN level, in -dBov, of audio whose level is dbfs (RMS
// against a full-scale square wave, audio.DBFS): 0 for full scale, 127 for
// digital silence.
func noiseLevel(dbfs float64) uint8 {
	if math.IsNaN(dbfs) || dbfs <= audio.MinDBFS {
		return 127
	}
	return uint8(min(max(math.Round(-dbfs), 0), 127))
}
