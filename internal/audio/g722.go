package audio

// G.722 (ITU-T G.722, 64 kbit/s mode): 16 kHz audio split by a QMF into two
// sub-bands, each coded with ADPCM (6 bits low, 2 bits high). It is the
// reference algorithm's integer arithmetic, written after the public-domain C
// implementation that spandsp carries, and checked sample for sample against
// spandsp's output in g722_test.go.

// PayloadTypeG722 is G.722's static RTP payload type (RFC 3551).
const PayloadTypeG722 uint8 = 9

// g722Rate is G.722's audio rate; its RTP clock runs at 8000 (RFC 3551 §4.5.2).
const g722Rate = 16000

// G722 is a G.722 codec at 64 kbit/s. It holds the ADPCM state of both
// directions: create one per call with NewG722.
type G722 struct {
	enc, dec g722State
}

// NewG722 returns a G.722 codec at its initial state.
func NewG722() *G722 {
	g := &G722{}
	g.enc.reset()
	g.dec.reset()
	return g
}

// Name returns "G722".
func (*G722) Name() string { return "G722" }

// PayloadType returns 9.
func (*G722) PayloadType() uint8 { return PayloadTypeG722 }

// ClockRate returns 8000, the RTP clock RFC 3551 keeps for G.722.
func (*G722) ClockRate() int { return 8000 }

// SampleRate returns 16000.
func (*G722) SampleRate() int { return g722Rate }

// g722Band is the ADPCM predictor state of one sub-band.
type g722Band struct {
	s, sp, sz int32
	r         [3]int32
	a, ap     [3]int32
	p         [3]int32
	d         [7]int32
	b, bp     [7]int32
	sg        [7]int32
	nb, det   int32
}

// g722State is one direction's state: both bands and the QMF's delay line.
type g722State struct {
	band [2]g722Band
	x    [24]int32
}

func (st *g722State) reset() {
	*st = g722State{}
	st.band[0].det = 32
	st.band[1].det = 8
}

var (
	g722qmf  = [12]int32{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}
	g722q6   = [32]int32{0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0}
	g722iln  = [32]int32{0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0}
	g722ilp  = [32]int32{0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0}
	g722wl   = [8]int32{-60, -30, 58, 172, 334, 538, 1198, 3042}
	g722rl42 = [16]int32{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	g722ilb  = [32]int32{2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008}
	g722qm4  = [16]int32{0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0}
	g722qm2  = [4]int32{-7408, -1616, 7408, 1616}
	g722qm6  = [64]int32{
		-136, -136, -136, -136, -24808, -21904, -19008, -16704,
		-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
		-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
		24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
		10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
		1688, 1360, 1040, 728, 432, 136, -432, -136,
	}
	g722ihn = [3]int32{0, 1, 0}
	g722ihp = [3]int32{0, 3, 2}
	g722wh  = [3]int32{0, -214, 798}
	g722rh2 = [4]int32{2, 1, 2, 1}
)

// sat16 clamps v to the int16 range.
func sat16(v int32) int32 { return max(-32768, min(32767, v)) }

// scale is blocks 3L/3H (LOGSCL, SCALEL/SCALEH): the new log scale factor
// from the quantizer's weight, and the step size from it.
func (b *g722Band) scale(weight, limit, shift int32) {
	nb := (b.nb*127)>>7 + weight
	b.nb = max(0, min(limit, nb))
	wd1 := (b.nb >> 6) & 31
	wd2 := shift - (b.nb >> 11)
	var wd3 int32
	if wd2 < 0 {
		wd3 = g722ilb[wd1] << -wd2
	} else {
		wd3 = g722ilb[wd1] >> wd2
	}
	b.det = wd3 << 2
}

// adapt is block 4: the predictor updated with the quantized difference d.
func (b *g722Band) adapt(d int32) {
	b.d[0] = d
	b.r[0] = sat16(b.s + d)
	b.p[0] = sat16(b.sz + d)

	// UPPOL2
	for i := range 3 {
		b.sg[i] = b.p[i] >> 15
	}
	wd1 := sat16(b.a[1] << 2)
	wd2 := wd1
	if b.sg[0] == b.sg[1] {
		wd2 = -wd1
	}
	wd2 = min(wd2, 32767)
	wd3 := wd2 >> 7
	if b.sg[0] == b.sg[2] {
		wd3 += 128
	} else {
		wd3 -= 128
	}
	wd3 += (b.a[2] * 32512) >> 15
	b.ap[2] = max(-12288, min(12288, wd3))

	// UPPOL1
	b.sg[0] = b.p[0] >> 15
	b.sg[1] = b.p[1] >> 15
	wd1 = -192
	if b.sg[0] == b.sg[1] {
		wd1 = 192
	}
	wd2 = (b.a[1] * 32640) >> 15
	b.ap[1] = sat16(wd1 + wd2)
	wd3 = sat16(15360 - b.ap[2])
	b.ap[1] = max(-wd3, min(wd3, b.ap[1]))

	// UPZERO
	wd1 = 128
	if d == 0 {
		wd1 = 0
	}
	b.sg[0] = d >> 15
	for i := 1; i < 7; i++ {
		b.sg[i] = b.d[i] >> 15
		wd2 = -wd1
		if b.sg[i] == b.sg[0] {
			wd2 = wd1
		}
		wd3 = (b.b[i] * 32640) >> 15
		b.bp[i] = sat16(wd2 + wd3)
	}

	// DELAYA
	for i := 6; i > 0; i-- {
		b.d[i] = b.d[i-1]
		b.b[i] = b.bp[i]
	}
	for i := 2; i > 0; i-- {
		b.r[i] = b.r[i-1]
		b.p[i] = b.p[i-1]
		b.a[i] = b.ap[i]
	}

	// FILTEP
	wd1 = sat16(b.r[1] + b.r[1])
	wd1 = (b.a[1] * wd1) >> 15
	wd2 = sat16(b.r[2] + b.r[2])
	wd2 = (b.a[2] * wd2) >> 15
	b.sp = sat16(wd1 + wd2)

	// FILTEZ
	b.sz = 0
	for i := 6; i > 0; i-- {
		wd1 = sat16(b.d[i] + b.d[i])
		b.sz += (b.b[i] * wd1) >> 15
	}
	b.sz = sat16(b.sz)

	// PREDIC
	b.s = sat16(b.sp + b.sz)
}

// Encode appends one byte per two samples of pcm (16 kHz) to dst.
func (g *G722) Encode(dst []byte, pcm []int16) []byte {
	st := &g.enc
	lo, hi := &st.band[0], &st.band[1]
	for j := 0; j+1 < len(pcm); j += 2 {
		// Transmit QMF: two input samples give one sample of each band.
		copy(st.x[:22], st.x[2:])
		st.x[22], st.x[23] = int32(pcm[j]), int32(pcm[j+1])
		var sumEven, sumOdd int32
		for i := range 12 {
			sumOdd += st.x[2*i] * g722qmf[i]
			sumEven += st.x[2*i+1] * g722qmf[11-i]
		}
		xlow := (sumEven + sumOdd) >> 14
		xhigh := (sumEven - sumOdd) >> 14

		// Low band: SUBTRA, QUANTL, INVQAL, LOGSCL, SCALEL, block 4.
		el := sat16(xlow - lo.s)
		wd := el
		if el < 0 {
			wd = -(el + 1)
		}
		i := int32(1)
		for ; i < 30; i++ {
			if wd < (g722q6[i]*lo.det)>>12 {
				break
			}
		}
		ilow := g722ilp[i]
		if el < 0 {
			ilow = g722iln[i]
		}
		ril := ilow >> 2
		dlow := (lo.det * g722qm4[ril]) >> 15
		lo.scale(g722wl[g722rl42[ril]], 18432, 8)
		lo.adapt(dlow)

		// High band: SUBTRA, QUANTH, INVQAH, LOGSCH, SCALEH, block 4.
		eh := sat16(xhigh - hi.s)
		wd = eh
		if eh < 0 {
			wd = -(eh + 1)
		}
		mih := 1
		if wd >= (564*hi.det)>>12 {
			mih = 2
		}
		ihigh := g722ihp[mih]
		if eh < 0 {
			ihigh = g722ihn[mih]
		}
		dhigh := (hi.det * g722qm2[ihigh]) >> 15
		hi.scale(g722wh[g722rh2[ihigh]], 22528, 10)
		hi.adapt(dhigh)

		dst = append(dst, byte(ihigh<<6|ilow))
	}
	return dst
}

// Decode appends two samples (16 kHz) per byte of payload to dst.
func (g *G722) Decode(dst []int16, payload []byte) []int16 {
	st := &g.dec
	lo, hi := &st.band[0], &st.band[1]
	for _, code := range payload {
		wd1 := int32(code & 0x3f)
		ihigh := int32(code>>6) & 3

		// Low band: INVQBL, RECONS, LIMIT; INVQAL, LOGSCL, SCALEL, block 4.
		rlow := max(-16384, min(16383, lo.s+(lo.det*g722qm6[wd1])>>15))
		wd1 >>= 2
		dlow := (lo.det * g722qm4[wd1]) >> 15
		lo.scale(g722wl[g722rl42[wd1]], 18432, 8)
		lo.adapt(dlow)

		// High band: INVQAH, RECONS, LIMIT, LOGSCH, SCALEH, block 4.
		dhigh := (hi.det * g722qm2[ihigh]) >> 15
		rhigh := max(-16384, min(16383, dhigh+hi.s))
		hi.scale(g722wh[g722rh2[ihigh]], 22528, 10)
		hi.adapt(dhigh)

		// Receive QMF: the two bands give two output samples.
		copy(st.x[:22], st.x[2:])
		st.x[22], st.x[23] = rlow+rhigh, rlow-rhigh
		var out1, out2 int32
		for i := range 12 {
			out2 += st.x[2*i] * g722qmf[i]
			out1 += st.x[2*i+1] * g722qmf[11-i]
		}
		dst = append(dst, int16(sat16(out1>>11)), int16(sat16(out2>>11)))
	}
	return dst
}
