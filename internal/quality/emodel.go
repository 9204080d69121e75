// Package quality estimates how a call sounds from its network figures, by the
// ITU-T E-model: a transmission rating R from the one-way delay, the codec's
// impairment and the packet loss, and from R an estimated mean opinion score (MOS,
// 1 to 4.5). Narrowband codecs are rated by G.107 (R up to 100), wideband ones by
// G.107.1 (R up to 129): wideband.go. It is a pure computation; the figures come
// from the media statistics.
package quality

import (
	"math"
	"strings"
	"time"
)

// defaultR is G.107's rating with every parameter at its default value (section 7,
// Table 3): Ro - Is - Id with no delay impairment, no equipment impairment and no
// advantage factor, 94.77 - 1.41 - 0.15.
const defaultR = 93.2

// Impairment is a codec's equipment impairment: Ie, its impairment without loss,
// and Bpl, its robustness to random packet loss (G.113 Appendix I), on the scale
// of its band: Wideband ones are G.113 Appendix IV's Ie,WB, rated by G.107.1.
type Impairment struct {
	Ie       float64
	Bpl      float64
	Wideband bool
}

// impairments are G.113's values for the codecs the engine speaks, by the upper
// case of their SDP name. The G.711 figures are those with packet loss
// concealment (Appendix I, Table I.3, Bpl 25.1): the engine conceals a gap by
// pitch repetition (G.711 Appendix I). The wideband ones are in wideband.go.
var impairments = map[string]Impairment{
	"PCMU": {Ie: 0, Bpl: 25.1},
	"PCMA": {Ie: 0, Bpl: 25.1},
	"G722": g722,
	"OPUS": opus,
}

// unknownCodec is assumed for a codec without G.113 values: G.711 without
// concealment (Bpl 4.3), the pessimistic case.
var unknownCodec = Impairment{Ie: 0, Bpl: 4.3}

// CodecImpairment returns the impairment of the codec named as in SDP (PCMU,
// PCMA, G722, opus; the case does not matter), and whether it is known.
func CodecImpairment(codec string) (Impairment, bool) {
	imp, ok := impairments[strings.ToUpper(codec)]
	if !ok {
		return unknownCodec, false
	}
	return imp, true
}

// Input are the figures the rating needs.
type Input struct {
	Codec string        // as in SDP: PCMU, PCMA, G722, opus
	Delay time.Duration // one-way mouth-to-ear delay (Ta)
	Loss  float64       // packet loss, in percent (0 to 100)
	// BurstRatio is G.107's BurstR: 1 for random loss, above 1 for bursty loss.
	// Zero is taken as 1.
	BurstRatio float64
}

// Estimate is the outcome: the rating and the opinion score it predicts.
// Wideband says R is on G.107.1's wideband scale (0 to 129) and MOS its
// MOS-CQEW; a wideband and a narrowband figure are not comparable.
type Estimate struct {
	R        float64
	MOS      float64
	Wideband bool
}

// Rate computes the E-model rating of in and its MOS: G.107 for a narrowband
// codec (or an unknown one), G.107.1 for a wideband one.
func Rate(in Input) Estimate {
	imp, _ := CodecImpairment(in.Codec)
	ieEff := EffectiveEquipmentImpairment(imp, in.Loss, in.BurstRatio)
	if imp.Wideband {
		r := defaultRWB - DelayImpairment(in.Delay) - ieEff
		return Estimate{R: r, MOS: MOSWideband(r), Wideband: true}
	}
	r := defaultR - DelayImpairment(in.Delay) - ieEff
	return Estimate{R: r, MOS: MOS(r)}
}

// DelayImpairment is G.107's Idd (formula 7-27) for the one-way delay ta: none up
// to 100 ms, then growing with the logarithm of the delay. G.107.1 takes it
// unchanged as Idd,WB.
func DelayImpairment(ta time.Duration) float64 {
	ms := float64(ta) / float64(time.Millisecond)
	if ms <= 100 {
		return 0
	}
	x := math.Log10(ms/100) / math.Log10(2)
	return 25 * (math.Pow(1+math.Pow(x, 6), 1.0/6) - 3*math.Pow(1+math.Pow(x/3, 6), 1.0/6) + 2)
}

// EffectiveEquipmentImpairment is G.107's Ie-eff (formula 7-29), and G.107.1's
// Ie,eff,WB of the same form: the codec's Ie raised by ppl percent of packet
// loss, as far as the codec's Bpl resists it.
func EffectiveEquipmentImpairment(imp Impairment, ppl, burstR float64) float64 {
	ppl = min(max(ppl, 0), 100)
	if burstR <= 0 {
		burstR = 1
	}
	return imp.Ie + (95-imp.Ie)*ppl/(ppl/burstR+imp.Bpl)
}

// MOS converts a rating to the estimated mean opinion score (G.107 Annex B,
// formula B-4): 1 below R 0, 4.5 above R 100.
func MOS(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}
