package control

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

const (
	// maxMessageSize bounds one client message; a bigger one closes with 1009.
	maxMessageSize = 64 << 10
	// sendQueueLen bounds the messages waiting for the writer; an event that finds
	// the queue full closes the connection with session.lagged.
	sendQueueLen = 256
)

// timing holds a connection's deadlines.
type timing struct {
	writeWait      time.Duration // one write, control frames included
	pongWait       time.Duration // client silence (no message, no pong) before we give up
	pingPeriod     time.Duration // how often we ping; below pongWait
	closeGrace     time.Duration // how long we wait for the client's close frame after ours
	commandTimeout time.Duration // context deadline of one engine command
	authWait       time.Duration // a browser connection's first message (auth) must come within this
}

func defaultTiming() timing {
	return timing{
		writeWait:      10 * time.Second,
		pongWait:       60 * time.Second,
		pingPeriod:     54 * time.Second,
		closeGrace:     2 * time.Second,
		commandTimeout: 30 * time.Second,
		authWait:       5 * time.Second,
	}
}

// Messages the write pump handles besides engine events (api.Event) and encoded
// responses ([]byte).
type (
	helloMsg   struct{ api.Event } // the snapshot: written before any engine event
	localEvent struct{ api.Event } // for this connection only, outside the seq order (paired)
	closeMsg   struct {            // close once everything queued before it is written
		code   int
		reason string
	}
)

// conn is one WebSocket client. The read pump (the HTTP handler's goroutine) decodes
// and runs commands one at a time, in order; the write pump owns every data write.
// Engine events reach the write pump through a bounded queue that never blocks.
// A browser connection starts unauthenticated: it sees nothing of the engine until
// its auth message (or the user's approval) admits it.
type conn struct {
	ws       *websocket.Conn
	backend  Backend
	commands commandTable
	gate     *gate
	id       identity
	log      *slog.Logger
	t        timing
	ctx      context.Context // cancelled when the connection ends; parent of every Do
	cancel   context.CancelFunc
	level    atomic.Int32 // the permission (a level); levelNone until admitted

	authMu    sync.Mutex         // guards the fields below
	auth      authState          // changed by stepAuth only
	pending   api.PairingRequest // the request a waiting connection is waiting for
	authTimer *time.Timer        // auth deadline, then the pairing request's expiry
	unwatch   func()

	out        chan any      // api.Event from the engine, or an encoded response
	lagOnce    sync.Once     // guards lagSeq and lagged
	lagSeq     uint64        // first event that did not fit; written before lagged is closed
	lagged     chan struct{} // closed when an event did not fit in out
	stop       chan struct{} // closed when the read pump is done: the writer stops
	writerDone chan struct{} // closed when the write pump has returned

	deadlineMu sync.Mutex // orders read-deadline changes against closeWith
	closing    bool       // a close frame was sent; guarded by deadlineMu
	closeOnce  sync.Once

	afterReply func() // run by the read pump once the current response is queued

	wantLog    atomic.Bool // opt-in events, switched by events.subscribe
	wantTrace  atomic.Bool
	wantLevels atomic.Bool

	levelsMu   sync.Mutex
	stopLevels func() // ends the engine's level watch this connection holds, if any

	stats statsSub // the call.stats subscription (stats.go)
}

func newConn(ws *websocket.Conn, backend Backend, table commandTable, g *gate, id identity,
	log *slog.Logger, t timing) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	return &conn{
		ws: ws, backend: backend, commands: table, gate: g, id: id, log: log, t: t, ctx: ctx, cancel: cancel,
		auth:       initialAuth(id),
		out:        make(chan any, sendQueueLen),
		lagged:     make(chan struct{}),
		stop:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// serve runs the connection to its end and closes the socket.
func (c *conn) serve() {
	defer c.ws.Close()
	defer c.cancel()
	defer c.end()
	go c.writePump()
	if c.id.authed {
		c.startEvents(levelOf(c.id.perm))
	} else {
		c.authMu.Lock()
		c.authTimer = time.AfterFunc(c.t.authWait, c.authExpired)
		c.authMu.Unlock()
	}
	c.readPump()
	close(c.stop)
	<-c.writerDone
}

// startEvents admits the connection with permission lvl: it subscribes to engine
// events and queues the hello snapshot, which the writer sends before any of them.
// The authentication machine runs it once; should the connection end meanwhile, it
// unsubscribes again.
func (c *conn) startEvents(lvl level) {
	c.level.Store(int32(lvl))
	hello, unwatch, ok := c.watch()
	if !ok {
		return
	}
	c.authMu.Lock()
	ended := c.auth.phase == phEnded
	if !ended {
		c.unwatch = unwatch
	}
	c.authMu.Unlock()
	if ended {
		unwatch()
		return
	}
	c.queue(helloMsg{hello})
}

// stopEvents unsubscribes from engine events, if subscribed, and ends the level
// watch.
func (c *conn) stopEvents() {
	c.watchLevels(false)
	c.watchStats(0)
	c.authMu.Lock()
	unwatch := c.unwatch
	c.unwatch = nil
	c.authMu.Unlock()
	if unwatch != nil {
		unwatch()
	}
}

// watchLevels holds the engine's level watch while on, when the engine has one.
func (c *conn) watchLevels(on bool) {
	lw, ok := c.backend.(LevelWatcher)
	if !ok {
		return
	}
	c.levelsMu.Lock()
	defer c.levelsMu.Unlock()
	switch {
	case on && c.stopLevels == nil:
		c.stopLevels = lw.WatchLevels()
	case !on && c.stopLevels != nil:
		c.stopLevels()
		c.stopLevels = nil
	}
}

// end releases what the connection holds in the engine and the gate.
func (c *conn) end() { c.runAuth(authEvent{in: inEnd}) }

// watch subscribes to engine events; hello goes first, before anything the sink queued.
func (c *conn) watch() (hello api.Event, unwatch func(), ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.panicked("watch", r)
		}
	}()
	hello, unwatch = c.backend.Watch(c.deliver)
	return hello, unwatch, true
}

// deliver is the engine's sink: it filters opt-in events and queues the rest without
// ever blocking. An event that does not fit marks the connection as lagged.
func (c *conn) deliver(ev api.Event) {
	switch {
	case ev.Event == api.EvLog && !c.wantLog.Load():
		return
	case ev.Event == api.EvSIPTrace && !c.wantTrace.Load():
		return
	case ev.Event == api.EvAudioLevel && !c.wantLevels.Load():
		return
	case ev.Event == api.EvCallStats && !c.stats.due():
		return
	case ev.Event == api.EvPairChanged && level(c.level.Load()) < levelAdmin:
		return
	case (ev.Event == api.EvChatMessage || ev.Event == api.EvChatStatus) && level(c.level.Load()) < levelControl:
		return // messages are private: read connections see their count only (chat.unread)
	}
	select {
	case c.out <- ev:
	default:
		c.lagOnce.Do(func() {
			c.lagSeq = ev.Seq
			close(c.lagged)
		})
	}
}

// readPump reads client messages and runs each command to its response before
// reading the next, so one connection's commands keep their order.
func (c *conn) readPump() {
	defer func() {
		if r := recover(); r != nil {
			c.panicked("read pump", r)
			c.linger()
		}
	}()
	c.ws.SetReadLimit(maxMessageSize)
	c.extendReadDeadline()
	c.ws.SetPongHandler(func(string) error { c.extendReadDeadline(); return nil })
	for {
		kind, msg, err := c.ws.ReadMessage()
		if err != nil {
			c.readEnded(err)
			return
		}
		if c.isClosing() {
			continue // drain until the client answers our close frame
		}
		switch {
		case kind != websocket.TextMessage:
			c.closeWith(websocket.CloseUnsupportedData, "text messages only")
		case !utf8.Valid(msg):
			c.closeWith(websocket.CloseInvalidFramePayloadData, "invalid UTF-8")
		default:
			c.reply(c.handle(msg))
			if after := c.afterReply; after != nil {
				c.afterReply = nil
				after()
			}
			c.extendReadDeadline()
		}
	}
}

// readEnded handles the error that ended the read pump.
func (c *conn) readEnded(err error) {
	var closeErr *websocket.CloseError
	switch {
	case errors.As(err, &closeErr):
		c.log.Debug("client closed", "code", closeErr.Code)
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla has sent 1009; let the client read it before the socket goes.
		c.log.Info("message too big, closing")
		c.markClosing()
		c.linger()
	default:
		c.log.Debug("read ended", "err", err)
	}
}

// linger discards what the client still sends until it closes or closeGrace passes,
// so that closing the socket does not reset the connection under our close frame.
func (c *conn) linger() {
	nc := c.ws.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(c.t.closeGrace))
	_, _ = io.Copy(io.Discard, nc)
}

// reply queues an encoded response. It blocks while the queue is full: that slows
// this client's own commands, never the engine.
func (c *conn) reply(msg []byte) { c.queue(msg) }

// queue hands m to the writer, waiting while the queue is full, unless the writer is gone.
func (c *conn) queue(m any) {
	select {
	case c.out <- m:
	case <-c.writerDone:
	}
}

// closeAfterQueued closes the connection once what is queued now has been written,
// so that a response reaches the client before the close frame that follows it.
func (c *conn) closeAfterQueued(code int, reason string) { c.queue(closeMsg{code, reason}) }

// writePump writes queued messages in order, and pings. Engine events wait until
// the hello snapshot is written; those the snapshot already reflects are dropped.
func (c *conn) writePump() {
	defer close(c.writerDone)
	defer func() {
		if r := recover(); r != nil {
			c.panicked("write pump", r)
		}
	}()
	ping := time.NewTicker(c.t.pingPeriod)
	defer ping.Stop()
	enc := newEncoder()
	var (
		helloSent bool
		helloSeq  uint64
		held      []api.Event // engine events queued before the hello
	)
	for {
		select { // once lagged, nothing else is written
		case <-c.lagged:
			c.sendLagged(enc)
			return
		default:
		}
		select {
		case <-c.stop:
			return
		case <-c.lagged:
			c.sendLagged(enc)
			return
		case m := <-c.out:
			var ok bool
			switch m := m.(type) {
			case helloMsg:
				helloSent, helloSeq = true, m.Seq
				ok = c.write(enc, m.Event)
				for _, ev := range held {
					if ok && ev.Seq > helloSeq {
						ok = c.write(enc, ev)
					}
				}
				held = nil
			case api.Event:
				switch {
				case !helloSent:
					held, ok = append(held, m), true
				case m.Seq <= helloSeq:
					ok = true // already reflected in the hello snapshot
				default:
					ok = c.write(enc, m)
				}
			case localEvent:
				ok = c.write(enc, m.Event)
			case closeMsg:
				c.closeWith(m.code, m.reason)
				return
			default:
				ok = c.write(enc, m)
			}
			if !ok {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.t.writeWait)); err != nil {
				c.abort(err)
				return
			}
		}
	}
}

// write sends one event or encoded response; on failure the connection is dead.
func (c *conn) write(enc *encoder, m any) bool {
	data, isBytes := m.([]byte)
	if !isBytes {
		var err error
		if data, err = enc.encode(m); err != nil {
			c.log.Error("event not encodable, dropped", "err", err)
			return true
		}
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.t.writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.abort(err)
		return false
	}
	return true
}

// sendLagged tries to tell the client it fell behind, then closes the connection.
func (c *conn) sendLagged(enc *encoder) {
	c.log.Warn("client lagged, closing", "seq", c.lagSeq)
	if c.write(enc, api.Event{Seq: c.lagSeq, Event: api.EvLagged}) {
		c.closeWith(websocket.CloseTryAgainLater, "lagged")
	}
}

// closeWith sends a close frame once and gives the client closeGrace to answer it.
func (c *conn) closeWith(code int, reason string) {
	c.closeOnce.Do(func() {
		c.markClosing()
		msg := websocket.FormatCloseMessage(code, reason)
		if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.t.writeWait)); err != nil {
			c.abort(err)
		}
	})
}

// markClosing stops commands from running and bounds the wait for the client's close.
func (c *conn) markClosing() {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	c.closing = true
	_ = c.ws.SetReadDeadline(time.Now().Add(c.t.closeGrace))
}

func (c *conn) isClosing() bool {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	return c.closing
}

// extendReadDeadline gives the client pongWait more, unless we are closing.
func (c *conn) extendReadDeadline() {
	c.deadlineMu.Lock()
	defer c.deadlineMu.Unlock()
	if !c.closing {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.t.pongWait))
	}
}

// abort drops the socket after a failed write; the read pump then ends.
func (c *conn) abort(err error) {
	c.log.Debug("write failed, dropping connection", "err", err)
	c.deadlineMu.Lock()
	c.closing = true
	c.deadlineMu.Unlock()
	_ = c.ws.NetConn().Close()
}

// panicked handles a panic recovered in a connection goroutine: it is logged and
// closes this connection only (1011), never the engine.
func (c *conn) panicked(where string, r any) {
	c.log.Error("panic in connection handler", "where", where, "panic", r, "stack", string(debug.Stack()))
	c.closeWith(websocket.CloseInternalServerErr, "internal error")
}
