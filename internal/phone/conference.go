package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// The local conference. Its members are calls the engine mixes together (the pump's
// N-1 mix, conferencemix.go): each member hears the user and the other members, never
// itself, and the user hears every member. The conference is connected to the
// microphone and the speaker while the selected line's call is a member, or a call
// being dialed into it (call.dial with conference): turning to another line leaves it
// as auto-hold leaves any call. There is at most one conference; it exists while it
// has two members, or one and a call being dialed into it.

// conferenceSelected reports whether the conference is connected to the user: the
// selected line's call is a member or is being dialed into it.
func (p *Phone) conferenceSelected() bool {
	s := p.lines.get(p.selected)
	return s != nil && (s.conference || s.joinConference)
}

// members returns the conference's members in line order.
func (p *Phone) members() []*call {
	var ms []*call
	p.lines.each(func(c *call) {
		if c.conference {
			ms = append(ms, c)
		}
	})
	return ms
}

// join makes c a member; its record in the history says it was in a conference.
func (c *call) join() { c.conference, c.conferenced = true, true }

// conferenceAdd runs conference.add: the call joins the conference; with no conference
// yet, the selected call joins too. The user turns to the conference if on another
// line, and the calls joining are resumed if held, the other members if auto-hold
// held them. Members are never auto-held by it. A call joining while its hold change
// is in flight is refused (errHoldBusy): the user tries again once it is done.
func (p *Phone) conferenceAdd(ref *api.CallRef) (api.Empty, error) {
	c, err := p.resolve(*ref)
	if err != nil {
		return api.Empty{}, err
	}
	if c.state != stActive {
		return api.Empty{}, fmt.Errorf("%w: the call on line %d is %s, not active", ErrCallState, c.line, c.state)
	}
	if c.conference {
		return api.Empty{}, nil
	}
	joined := []*call{c}
	if len(p.members()) == 0 {
		s := p.lines.get(p.selected)
		if s == nil || s == c || s.state != stActive {
			return api.Empty{}, fmt.Errorf("%w: no other active call on the selected line to conference with", ErrCallState)
		}
		joined = append(joined, s)
	}
	for _, m := range joined {
		if m.pendingHold != nil { // its resume could not go out now
			return api.Empty{}, fmt.Errorf("cannot conference the call on line %d: %w", m.line, errHoldBusy)
		}
	}
	for _, m := range joined {
		m.join()
		m.autoHeld = false
	}
	line := p.selected
	if !p.conferenceSelected() {
		line = c.line
	}
	p.turnTo(line) // holds a call left, resumes the members auto-hold held
	for _, m := range joined {
		if m.hold != holdOff {
			p.changeHold(m, false, p.logHoldOutcome(m, "conference resume"))
		}
	}
	p.conferenceChanged(joined...)
	return api.Empty{}, nil
}

// conferenceRemove runs conference.remove: the call goes back to its own line. The
// user stays with the rest of the conference: if the call was on the selected line,
// another member's line is selected. The call left is then auto-held, or with auto-hold off
// no longer connected; a conference left with one member ends.
func (p *Phone) conferenceRemove(ref *api.CallRef) (api.Empty, error) {
	c, err := p.resolve(*ref)
	if err != nil {
		return api.Empty{}, err
	}
	if !c.conference {
		return api.Empty{}, fmt.Errorf("%w: the call on line %d", ErrNoConference, c.line)
	}
	c.conference = false
	if rest := p.members(); c.line == p.selected && len(rest) > 0 {
		p.selectLine(rest[0].line)
	}
	changed := append([]*call{c}, p.settleConference()...)
	if c.line != p.selected {
		p.leave(c)
	}
	p.conferenceChanged(changed...)
	return api.Empty{}, nil
}

// conferenceSplit runs conference.split: every member goes back to its own line. The
// selected line's call stays connected; the others are left (auto-held, or with
// auto-hold off no longer connected).
func (p *Phone) conferenceSplit(*api.NoArgs) (api.Empty, error) {
	ms := p.members()
	if len(ms) == 0 {
		return api.Empty{}, ErrNoConference
	}
	for _, c := range ms {
		c.conference = false
	}
	for _, c := range ms {
		if c.line != p.selected {
			p.leave(c)
		}
	}
	p.conferenceChanged(ms...)
	return api.Empty{}, nil
}

// conferenceHold runs conference.hold or conference.resume: every member is held or
// resumed, and the command answers once every peer has, with the first failure if any.
func (p *Phone) conferenceHold(hold bool) func(*api.NoArgs, answer) {
	return func(_ *api.NoArgs, done answer) {
		ms := p.members()
		if len(ms) == 0 {
			done(nil, ErrNoConference)
			return
		}
		left, firstErr := len(ms), error(nil)
		for _, c := range ms {
			c.autoHeld = false // the user decides for these calls now
			p.changeHold(c, hold, func(_ any, err error) {
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if left--; left == 0 {
					if firstErr != nil {
						done(nil, firstErr)
						return
					}
					done(api.Empty{}, nil)
				}
			})
		}
	}
}

// leave is what happens to a call the user no longer talks to when it leaves the
// conference: with auto-hold, an active call not held yet is held (and resumed when
// the user turns back to its line); otherwise it is just no longer connected.
func (p *Phone) leave(c *call) {
	if !p.settings.AutoHold || c.state != stActive || c.hold != holdOff {
		return
	}
	c.autoHeld = true
	p.changeHold(c, true, p.logHoldOutcome(c, "auto-hold"))
}

// settleConference ends a conference that has fewer than two members and no call
// being dialed into it: its last member goes back to being a plain call. It returns
// the calls it changed.
func (p *Phone) settleConference() []*call {
	ms, joining := p.members(), 0
	p.lines.each(func(c *call) {
		if c.joinConference {
			joining++
		}
	})
	if len(ms)+joining >= 2 || len(ms) == 0 {
		return nil
	}
	ms[0].conference = false
	return ms
}

// conferenceChanged reconnects the media clock and reports the calls whose
// conference membership changed.
func (p *Phone) conferenceChanged(changed ...*call) {
	p.updatePump()
	for _, c := range changed {
		p.bus.Emit(api.EvCallState, c.public())
	}
}

// dialIntoConference makes c, a call being dialed with call.dial's conference, join
// the conference when answered. With no conference yet, the selected active call
// starts one; with none either, c is dialed as any call. It reports whether c will
// join: then the call the user leaves is not auto-held.
func (p *Phone) dialIntoConference(c *call) bool {
	if len(p.members()) == 0 {
		s := p.lines.get(p.selected)
		if s == nil || s.state != stActive {
			return false
		}
		s.join()
		p.conferenceChanged(s)
	}
	c.joinConference = true
	return true
}

// joinOnAnswer makes a call dialed into the conference a member once it is answered.
func (p *Phone) joinOnAnswer(c *call) {
	if c.joinConference {
		c.joinConference = false
		c.join()
	}
}

// endInConference takes a call that ended out of the conference; the conference ends
// if it is left with one member. The actor calls it before choosing the next selected
// line, so that the user stays with the conference (bestLine).
func (p *Phone) endInConference(c *call) {
	if !c.conference && !c.joinConference {
		return
	}
	c.conference, c.joinConference = false, false
	p.conferenceChanged(p.settleConference()...)
}
