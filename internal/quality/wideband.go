package quality

// The wideband E-model, ITU-T G.107.1: R = Ro,WB - Is,WB - Id,WB - Ie,eff,WB + A
// on a scale up to 129, where a wideband codec's better audio shows as a higher R
// than narrowband G.711's 93.2 would be given on it.

// defaultRWB is G.107.1's rating with every parameter at its default value
// (section 7.7): Ro,WB 129, with Is,WB, Id,WB and A at 0.
const defaultRWB = 129

// g722 is G.722 at 64 kbit/s: Ie,WB 13, G.113 Appendix IV (Table IV.1). G.113
// gives no wideband Bpl for G.722; the engine conceals its losses as G.711's
// (pitch repetition, G.711 Appendix I), so G.711's Bpl with concealment (Table
// I.3, 25.1) is taken.
var g722 = Impairment{Ie: 13, Bpl: 25.1, Wideband: true}

// opus is Opus in wideband (the engine's 16 kHz) at its default 32 kbit/s. G.113
// gives no figures for Opus: it is rated as the wideband codec G.113 does rate,
// G.722 at 64 kbit/s (Ie,WB 13, Bpl 25.1), a stand-in and not an ITU figure.
var opus = Impairment{Ie: 13, Bpl: 25.1, Wideband: true}

// MOSWideband converts a wideband rating to G.107.1's MOS-CQEW (Annex A, formulas
// G.107's curve applied to R/1.29, 1 below R 0, 4.5 above R 129.
func MOSWideband(r float64) float64 {
	return MOS(r / 1.29)
}
