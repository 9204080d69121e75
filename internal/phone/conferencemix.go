package phone

import (
	"math"

	"github.com/wpservice/wpservice/internal/audio"
)

// confMixer is the pump's frame state for mixing calls: the frame received from each
// leg and the sum of what the conference's members said. Every member hears the
// microphone and the other members, never itself (an N-1 mix), except a member that
// holds us, whose music on hold only the user hears: the members' frames
// are summed once in 32 bits, and each member gets the microphone plus that sum less
// its own frame, saturated only at the end, so loud parties clip as little as one
// int16 sum would and no sum overflows. Owned by the pump goroutine; its buffers
// grow when a plan has more legs than any before and are reused on every frame
// after, so a frame does not allocate.
type confMixer struct {
	rx    [][]int16 // the frame received from each leg
	heard []bool    // the leg's frame is heard: received, not held, connected
	sum   []int32   // what the heard members said, summed
	out   []int16   // the frame sent to one member
}

// grow makes room for n legs.
func (m *confMixer) grow(n int) {
	if m.sum == nil {
		m.sum = make([]int32, audio.FrameSamples)
		m.out = make([]int16, audio.FrameSamples)
	}
	for len(m.rx) < n {
		m.rx = append(m.rx, make([]int16, audio.FrameSamples))
		m.heard = append(m.heard, false)
	}
}

// mixLegs receives one frame from every leg of pl, mixes those heard into p.mix for
// the speaker, then sends each leg its frame (sendFrame); a leg the peer holds is
// sent nothing.
func (p *pump) mixLegs(pl *mixPlan) {
	m := &p.conf
	m.grow(len(pl.legs))
	clear(p.mix)
	clear(m.sum)
	for i := range pl.legs {
		l := &pl.legs[i]
		m.heard[i] = l.stream.ReadFrame(m.rx[i]) && !l.held && !l.detached
		if !m.heard[i] {
			continue
		}
		audio.Mix(p.mix, m.rx[i])
		if l.conference && !l.remoteHeld { // a member holding us plays its music to us alone
			for k, s := range m.rx[i] {
				m.sum[k] += int32(s)
			}
		}
	}
	for i := range pl.legs {
		l := &pl.legs[i]
		out := p.withPlay(pl, l, p.sendFrame(l, i)) // play.go
		if !l.remoteHeld {
			l.stream.WriteFrame(out)
		}
		l.rec.write(out, m.rx[i]) // record.go
	}
}

// sendFrame is what leg i is sent: silence when held or not connected to the user;
// otherwise the microphone (silence when muted) and, for a conference member, what
// the other members said.
func (p *pump) sendFrame(l *leg, i int) []int16 {
	if l.held || l.detached {
		return p.zero
	}
	mic := p.tx
	if l.muted {
		mic = p.zero
	}
	if !l.conference {
		return mic
	}
	m := &p.conf
	own := p.zero
	if m.heard[i] {
		own = m.rx[i]
	}
	for k := range m.out {
		v := int32(mic[k]) + m.sum[k] - int32(own[k])
		m.out[k] = int16(max(math.MinInt16, min(math.MaxInt16, v)))
	}
	return m.out
}
