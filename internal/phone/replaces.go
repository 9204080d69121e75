package phone

// An incoming call with Replaces (RFC 3891): the transferee of an attended transfer
// calls us in place of a call of ours, the stack having checked that the call it names
// is a confirmed one. That call ends (BYE, cause transferred) and the new one takes
// its line and is answered at once: the user was already talking on that line.

// endReplaced ends the call in replaces and returns its line, 0 when in replaces none
// that is active.
func (p *Phone) endReplaced(in Incoming) int {
	if in.Replaces == "" {
		return 0
	}
	old := p.lines.find(in.Replaces)
	if old == nil || old.state != stActive {
		return 0
	}
	line := old.line
	p.log.Info("call replaced", "call", old.id, "line", line, "by", in.Dialog.CallID())
	p.handedOver(old, in.From, "replaced by a call from ")
	return line
}
