package phone

import (
	"fmt"

	"github.com/wpservice/wpservice/internal/api"
)

// The selected line is the one attached to the microphone and the speaker, as on a
// desk phone: only its call hears the user and is heard. A call on another line,
// held or not, gets silence and is not played, so two callers never hear each other
// or the user's other conversation. With auto-hold (Settings.AutoHold) turning to
// another line (line.select, call.answer, call.dial) first holds the call being
// left, and turning back to a call auto-hold held resumes it.

// connected reports whether c is connected to the microphone and the speaker: the
// call on the selected line, and the conference's members while the conference is
// selected (conference.go).
func (p *Phone) connected(c *call) bool {
	return c.line == p.selected || (c.conference && p.conferenceSelected())
}

// lineSelect runs line.select: it turns to the line (turnTo).
func (p *Phone) lineSelect(a *api.LineArgs) (api.LineSelected, error) {
	if a.Line < 1 || a.Line > p.settings.MaxLines {
		return api.LineSelected{}, api.BadArg("line", fmt.Sprintf("1..%d", p.settings.MaxLines))
	}
	p.turnTo(a.Line)
	return api.LineSelected{Line: a.Line}, nil
}

// turnTo is the user turning to line: the call left is auto-held, the line selected,
// and its call resumed if auto-hold held it. Turning to the selected line resumes its
// auto-held call too (it was left for a call that has ended since).
func (p *Phone) turnTo(line int) {
	if line != p.selected {
		p.autoHold()
		p.selectLine(line)
	}
	p.lines.each(func(c *call) {
		if p.connected(c) && c.autoHeld && c.hold == holdOn {
			c.autoHeld = false
			p.changeHold(c, false, p.logHoldOutcome(c, "auto-resume"))
		}
	})
}

// autoHold holds the selected line's call before the user turns from it, when
// auto-hold is on and the call is active and not held yet; it remembers it held it,
// so that turning back resumes it. The re-INVITE goes through call.hold's path with
// no command waiting for it. A call it cannot hold (not active yet, a hold change in
// flight) is left as it is: it is not connected once another line is selected.
func (p *Phone) autoHold() {
	if !p.settings.AutoHold {
		return
	}
	p.lines.each(func(c *call) {
		if p.connected(c) && c.state == stActive && c.hold == holdOff {
			c.autoHeld = true
			p.changeHold(c, true, p.logHoldOutcome(c, "auto-hold"))
		}
	})
}

// logHoldOutcome answers an auto-hold or auto-resume, which no command waits for:
// a failure is logged (the call reports its hold state in call.state as always).
func (p *Phone) logHoldOutcome(c *call, what string) answer {
	return func(_ any, err error) {
		if err != nil {
			c.autoHeld = false
			p.log.Info(what+" failed", "call", c.id, "line", c.line, "err", err)
		}
	}
}

// answer runs call.answer: an incoming call is answered on its own line, which
// becomes the selected one (the call left auto-held first).
func (p *Phone) answer(ref *api.CallRef) (api.Empty, error) {
	c, err := p.resolve(*ref)
	if err != nil {
		return api.Empty{}, err
	}
	if err := p.answerCall(c); err != nil {
		return api.Empty{}, stateError(c, inAnswer, err)
	}
	return api.Empty{}, nil
}

// answerCall turns to c's line and answers it, if c can be answered.
func (p *Phone) answerCall(c *call) error {
	if _, err := step(c.state, c.outgoing, inAnswer); err != nil {
		return err
	}
	p.turnTo(c.line)
	_, err := p.apply(c, inAnswer, 0, "")
	return err
}

// selectLine changes the selected line, reconnects the media clock and reports it.
func (p *Phone) selectLine(line int) {
	if line == p.selected {
		return
	}
	p.selected = line
	p.updatePump()
	p.bus.Emit(api.EvLineSelected, api.LineSelected{Line: line})
}

// announceSelects reports whether announcing c selects its line: a call we dial does
// (the user turned to it); an incoming one only when the selected line has no call,
// so that a call waiting rings on its own line and the user's conversation goes on.
func (p *Phone) announceSelects(c *call) bool {
	return c.outgoing || p.lines.get(p.selected) == nil
}
