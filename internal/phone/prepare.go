package phone

import "context"

// The actor never waits on the network. Two steps of a new call can take seconds:
// the name lookup of a dialled host, to find the local address that routes to it
// (SIP.LocalIP), and the STUN exchange that learns the public address of the
// call's RTP socket (Stream.Ready). They run on workers. Meanwhile the call is
// preparing: it holds its line, and an incoming call its dialog, so that a
// hang-up, the caller's CANCEL or the engine's shutdown finds it and ends it; but
// it is not announced (no event, not in the snapshot, not selected), and a call
// that ends while preparing ends unannounced. What the work opened for a call
// that ended meanwhile is closed when it comes back.

// prepareDial finds the local address toward c's target and opens RTP on it, off
// the actor, then hands both (or the error) to send on the actor.
func (p *Phone) prepareDial(c *call, send func(ip string, stream Stream, err error)) {
	target, from := c.peer, p.stackID(c.account)
	p.goWork(func(ctx context.Context) {
		ip := p.localIPFrom(from, target)
		stream, err := p.cfg.Media(ip)
		if err == nil && awaitReady(ctx, stream) != nil {
			stream.Close() // the engine stopped
			return
		}
		if !p.post(func() { send(ip, stream, err) }) && stream != nil {
			stream.Close()
		}
	})
}

// whenReady runs f on the actor once c's stream is ready: at once when it is (it
// asks no STUN server, or has its answer), else after a worker has waited for
// it, unless c ended meanwhile.
func (p *Phone) whenReady(c *call, f func()) {
	ready := c.stream.Ready()
	select {
	case <-ready:
		f()
		return
	default:
	}
	p.goWork(func(ctx context.Context) {
		if awaitReady(ctx, c.stream) != nil {
			return
		}
		p.post(func() {
			if c.state != stEnded {
				f()
			}
		})
	})
}

// awaitReady waits until stream is ready, or returns ctx's error if it ends first.
func awaitReady(ctx context.Context, stream Stream) error {
	select {
	case <-stream.Ready():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drop ends a call that could not be prepared, unannounced, and frees its line.
func (p *Phone) drop(c *call) {
	c.state = stEnded
	p.lines.free(c.line)
	p.endInConference(c)
}
