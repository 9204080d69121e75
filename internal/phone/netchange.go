package phone

import (
	"context"
	"fmt"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// The engine follows the network. When the machine's addresses or routes change
// (Config.NetWatch), the actor asks again which local address routes to the account's
// server and to each call's peer. A registration whose address changed starts over
// from the new one at once (reg.state goes through registering): the old flow is dead.
// An active call whose address changed gets a new RTP socket on the new address and a
// re-INVITE offering it (at the socket's public address, when STUN learned one); the
// call goes on there, or, if the peer refuses or does not answer, ends with cause
// network_changed. With Config.EndCallsOnNetworkChange (sip.onNetworkChange "end")
// it ends so at once, with a BYE; so does a call still ringing, ours with a CANCEL,
// the caller's with 480 Temporarily Unavailable (its answer would offer media on an
// address that is gone). Neither needs an event of its own: the
// registration says so in reg.state and a call that could not follow in its cause.
// Otherwise a call of ours that still rings is moved by an UPDATE in its early
// dialog, or once answered (earlymove.go).

// moveTimeout bounds the re-INVITE that moves a call; the old path is dead meanwhile.
const moveTimeout = 10 * time.Second

// netChanges is the channel of network changes, nil (never ready) without a watcher.
func (p *Phone) netChanges() <-chan struct{} {
	if p.cfg.NetWatch == nil {
		return nil
	}
	return p.cfg.NetWatch.Changes()
}

// serverURI is the account's server as a target for LocalIP.
func (p *Phone) serverURI() string { return "sip:" + p.acc.Server }

// followNetwork re-registers and moves the calls whose local address changed. Which
// address now routes to the server and to each call's peer may take a name lookup,
// so it is asked on a worker (routes); the actor acts on the answers when they come
// back (applyRoutes). Changes that come meanwhile are followed once the answers are
// in, with one more look.
func (p *Phone) followNetwork() {
	if p.stopping {
		return
	}
	if p.netLooking {
		p.netAgain = true
		return
	}
	server := ""
	if p.reg.State == api.RegRegistered || p.reg.State == api.RegRegistering {
		server = p.serverURI()
	}
	calls := map[*call]string{}
	p.lines.each(func(c *call) {
		if p.follows(c) {
			calls[c] = c.route()
		}
	})
	extras := p.extraServers() // accounts.go
	if server == "" && len(calls) == 0 && len(extras) == 0 {
		return
	}
	p.netLooking = true
	p.goWork(func(context.Context) {
		r := routes{server: server, calls: make(map[*call]string, len(calls)), extras: p.lookupExtras(extras)}
		if server != "" {
			r.serverIP = p.cfg.SIP.LocalIP(server)
		}
		for c, target := range calls {
			r.calls[c] = p.cfg.SIP.LocalIP(target)
		}
		p.post(func() { p.applyRoutes(r) })
	})
}

// routes are the local addresses that route, after a network change, to the
// account's server (serverIP, looked up when server is not "") and to the peer of
// each active call.
type routes struct {
	server, serverIP string
	calls            map[*call]string
	extras           map[string]string // by id, toward the server of each other account that registers
}

// applyRoutes re-registers if the address toward the server changed and moves each
// call whose address changed, then looks again if the network changed meanwhile.
func (p *Phone) applyRoutes(r routes) {
	p.netLooking = false
	if p.stopping {
		return
	}
	registering := p.reg.State == api.RegRegistered || p.reg.State == api.RegRegistering
	if r.server != "" && registering && r.server == p.serverURI() && r.serverIP != p.regIP {
		p.log.Info("network changed: registering again", "from", p.regIP, "to", r.serverIP)
		if err := p.registerFrom(r.serverIP); err != nil {
			p.log.Warn("re-register after a network change", "err", err)
		}
	}
	p.followExtras(r.extras)
	for c, ip := range r.calls {
		p.followCall(c, ip)
	}
	if p.netAgain {
		p.netAgain = false
		p.followNetwork()
	}
}

// route is what the call's local address is chosen toward: the target we dialed, or
// the address the caller's media comes from.
func (c *call) route() string {
	if c.outgoing || c.media.remote == nil {
		return c.peer
	}
	return "sip:" + c.media.remote.IP.String()
}

// follows reports whether c follows the network: an active call, or one of ours
// that rings (earlymove.go), with its address known; and when network changes end
// calls, one that rings here too.
func (p *Phone) follows(c *call) bool {
	ringingIn := !c.outgoing && c.dialog != nil && (c.state == stIncoming || c.state == stRinging)
	return c.localIP != "" && (c.state == stActive || c.ringingOut() ||
		ringingIn && p.cfg.EndCallsOnNetworkChange)
}

// followCall moves c to ip, the local address that now routes to its peer, if that
// changed, or ends it when so configured, ringing or not. A call with a re-INVITE
// in flight (a hold, an earlier move) is looked at again when it is answered; so is
// a call of ours still ringing, unless it has early media, which an UPDATE may move
// at once (earlymove.go).
func (p *Phone) followCall(c *call, ip string) {
	if !p.follows(c) {
		return
	}
	if ip == c.localIP {
		c.netStale = false
		return
	}
	if p.cfg.EndCallsOnNetworkChange {
		p.log.Info("network changed: ending the call", "call", c.id, "from", c.localIP, "to", ip)
		if !c.outgoing && c.state != stActive {
			c.rejectCode = 480
		}
		p.apply(c, inNetworkChanged, 0, "the local address changed from "+c.localIP+" to "+ip)
		return
	}
	if c.ringingOut() && !p.movesEarly(c) {
		c.netStale = true // moved once answered (followAnswered)
		return
	}
	if c.moving || c.pendingHold != nil {
		c.netStale = true
		return
	}
	c.netStale = false
	stream, err := p.cfg.Media(ip)
	if err != nil {
		p.apply(c, inNetworkChanged, 0, fmt.Sprintf("rtp on %s: %v", ip, err))
		return
	}
	p.log.Info("network changed: moving the call", "call", c.id, "from", c.localIP, "to", ip)
	c.moving = true
	d, early := c.dialog, c.state != stActive
	p.goWork(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, moveTimeout)
		defer cancel()
		var answer []byte
		err := awaitReady(ctx, stream) // the new socket's public address, behind a NAT
		if err == nil {
			answer, err = d.MoveMedia(ctx, ip, mediaAddr(ip, stream))
		}
		if !p.post(func() { p.endMove(c, ip, stream, answer, early, err) }) {
			stream.Close()
		}
	})
}

// endMove takes the outcome of the re-INVITE (or early UPDATE) that moved c: the
// call goes on with the new stream, or ends with cause network_changed. A call whose
// early UPDATE (early) failed is moved again once answered (earlyMoveFailed).
func (p *Phone) endMove(c *call, ip string, stream Stream, answer []byte, early bool, sipErr error) {
	c.moving = false
	if c.state != stActive && c.state != stEarly {
		stream.Close()
		return
	}
	if sipErr != nil && early {
		p.earlyMoveFailed(c, stream, sipErr)
		return
	}
	if sipErr != nil {
		stream.Close()
		p.log.Info("the call could not follow the network", "call", c.id, "err", sipErr)
		p.apply(c, inNetworkChanged, 0, "re-INVITE: "+sipErr.Error())
		return
	}
	old := c.stream
	c.stream, c.localIP = stream, ip
	if n, err := p.negotiate(p.accountOf(c), answer, c.crypto); err == nil && !n.remote.IP.IsUnspecified() {
		c.media = n
		if c.outgoing {
			c.remoteSDP = answer
		}
	}
	if err := p.startMedia(c); err != nil {
		p.apply(c, inNetworkChanged, 0, "media on "+ip+": "+err.Error())
		old.Close()
		return
	}
	p.updatePump() // the media clock takes the new stream
	old.Close()
	if c.netStale {
		p.followNetwork() // the network changed again during the move
	}
}
