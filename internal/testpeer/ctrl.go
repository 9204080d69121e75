package testpeer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Event types baresip's ctrl_tcp module pushes (the "type" field).
const (
	EventCallIncoming    = "CALL_INCOMING"
	EventCallRinging     = "CALL_RINGING"
	EventCallEstablished = "CALL_ESTABLISHED"
	EventCallClosed      = "CALL_CLOSED"
	EventCallDTMFStart   = "CALL_DTMF_START" // Param is the digit
	EventCallDTMFEnd     = "CALL_DTMF_END"
	EventRegisterOK      = "REGISTER_OK"
	EventRegisterFail    = "REGISTER_FAIL"
)

// commandTimeout bounds how long baresip gets to answer one command.
const commandTimeout = 5 * time.Second

// BaresipEvent is one event baresip pushed on its ctrl_tcp connection.
type BaresipEvent struct {
	Type       string `json:"type"`       // e.g. EventCallEstablished
	Class      string `json:"class"`      // "call", "register", "other"...
	AccountAOR string `json:"accountaor"` // the local account
	Direction  string `json:"direction"`  // "incoming" or "outgoing"
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`    // the call's id
	Param      string `json:"param"` // event detail: the DTMF digit, a close reason...
	Raw        string `json:"-"`     // the whole JSON object
}

// ctrlMessage is either an event or a command response.
type ctrlMessage struct {
	BaresipEvent
	Event    bool   `json:"event"`
	Response bool   `json:"response"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
}

// ctrlConn is a ctrl_tcp client: commands go out as netstring JSON, and one
// reader goroutine sorts what comes back into responses (matched by token)
// and events (kept in order).
type ctrlConn struct {
	conn net.Conn

	writeMu sync.Mutex // serialises netstrings on conn

	mu      sync.Mutex
	events  []BaresipEvent
	taken   map[string]int // per type, how many events WaitEvent returned
	changed chan struct{}  // closed and replaced whenever events grow
	pending map[string]chan ctrlMessage
	token   int
	readErr error // why the reader stopped; nil while it runs
}

func newCtrlConn(conn net.Conn) *ctrlConn {
	c := &ctrlConn{
		conn:    conn,
		taken:   make(map[string]int),
		changed: make(chan struct{}),
		pending: make(map[string]chan ctrlMessage),
	}
	go c.readLoop()
	return c
}

func (c *ctrlConn) close() { c.conn.Close() }

func (c *ctrlConn) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		payload, err := readNetstring(r)
		if err != nil {
			c.stop(err)
			return
		}
		var msg ctrlMessage
		if err := json.Unmarshal(payload, &msg); err != nil {
			continue // not JSON: nothing a test could wait for
		}
		switch {
		case msg.Event:
			msg.BaresipEvent.Raw = string(payload)
			c.addEvent(msg.BaresipEvent)
		case msg.Response:
			c.deliver(msg)
		}
	}
}

func (c *ctrlConn) addEvent(ev BaresipEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, ev)
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *ctrlConn) deliver(msg ctrlMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.pending[msg.Token]; ok {
		delete(c.pending, msg.Token)
		ch <- msg // buffered
	}
}

// stop records why the reader ended and wakes every waiter.
func (c *ctrlConn) stop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readErr = err
	for token, ch := range c.pending {
		delete(c.pending, token)
		close(ch)
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// command sends one command and waits for its response.
func (c *ctrlConn) command(cmd, params string) (string, error) {
	c.mu.Lock()
	if c.readErr != nil {
		c.mu.Unlock()
		return "", fmt.Errorf("%w: %v", ErrCtrlClosed, c.readErr)
	}
	c.token++
	token := strconv.Itoa(c.token)
	reply := make(chan ctrlMessage, 1)
	c.pending[token] = reply
	c.mu.Unlock()

	payload, err := json.Marshal(map[string]string{"command": cmd, "params": params, "token": token})
	if err != nil {
		return "", err
	}
	c.writeMu.Lock()
	err = writeNetstring(c.conn, payload)
	c.writeMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrCtrlClosed, err)
	}

	timer := time.NewTimer(commandTimeout)
	defer timer.Stop()
	select {
	case msg, ok := <-reply:
		if !ok {
			return "", ErrCtrlClosed
		}
		if !msg.OK {
			return msg.Data, &CommandError{Command: cmd, Data: msg.Data}
		}
		return msg.Data, nil
	case <-timer.C:
		c.mu.Lock()
		delete(c.pending, token)
		c.mu.Unlock()
		return "", fmt.Errorf("%w: %s after %v", ErrCommandTimeout, cmd, commandTimeout)
	}
}

// snapshot returns a copy of the events so far.
func (c *ctrlConn) snapshot() []BaresipEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]BaresipEvent(nil), c.events...)
}

// next returns the first event of type typ that next has not returned yet,
// waiting up to timeout for it to arrive.
func (c *ctrlConn) next(typ string, timeout time.Duration) (BaresipEvent, bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		seen := 0
		for _, ev := range c.events {
			if ev.Type != typ {
				continue
			}
			if seen == c.taken[typ] {
				c.taken[typ]++
				c.mu.Unlock()
				return ev, true
			}
			seen++
		}
		changed, stopped := c.changed, c.readErr != nil
		c.mu.Unlock()
		if stopped {
			return BaresipEvent{}, false
		}
		select {
		case <-changed:
		case <-timer.C:
			return BaresipEvent{}, false
		}
	}
}
