package dist

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/wpservice/wpservice/internal/api"
)

// client is a minimal control-API client: commands and the events between them.
type client struct {
	t      *testing.T
	conn   *websocket.Conn
	hello  api.Hello
	nextID int
	msgs   chan message
	held   []message // events that arrived while do awaited a response
}

type message struct {
	ID     *string         `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *api.Error      `json:"error"`
	Event  string          `json:"event"`
	Data   json.RawMessage `json:"data"`
}

// connect opens the control API on port with the token the engine wrote in dataDir
// and reads its hello.
func connect(t *testing.T, port int, dataDir string) *client {
	t.Helper()
	token, err := os.ReadFile(filepath.Join(dataDir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Authorization": {"Bearer " + strings.TrimSpace(string(token))}}
	conn, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", port), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, msgs: make(chan message, 1000)}
	go func() {
		defer close(c.msgs)
		for {
			var m message
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			c.msgs <- m
		}
	}()
	first := c.event(api.EvHello, 10*time.Second, nil)
	if err := json.Unmarshal(first, &c.hello); err != nil {
		t.Fatal(err)
	}
	return c
}

// do sends a command and waits for its response, which must be ok; result, if not
// nil, receives it. Events that arrive meanwhile are kept, in order, for event.
func (c *client) do(cmd string, args, result any) {
	c.t.Helper()
	c.nextID++
	id := fmt.Sprint(c.nextID)
	if err := c.conn.WriteJSON(map[string]any{"id": id, "cmd": cmd, "args": args}); err != nil {
		c.t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("%s: connection closed", cmd)
			}
			if m.ID == nil || *m.ID != id {
				if m.Event != "" {
					c.held = append(c.held, m)
				}
				continue
			}
			if !m.OK {
				c.t.Fatalf("%s: %+v", cmd, m.Error)
			}
			if result != nil {
				if err := json.Unmarshal(m.Result, result); err != nil {
					c.t.Fatal(err)
				}
			}
			return
		case <-deadline:
			c.t.Fatalf("%s: no response within 10 s", cmd)
		}
	}
}

// event waits up to d for the event named name whose data satisfies match (any,
// when nil) and returns its data.
func (c *client) event(name string, d time.Duration, match func([]byte) bool) json.RawMessage {
	c.t.Helper()
	for len(c.held) > 0 {
		m := c.held[0]
		c.held = c.held[1:]
		if m.Event == name && (match == nil || match(m.Data)) {
			return m.Data
		}
	}
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("connection closed before %s", name)
			}
			if m.Event == name && (match == nil || match(m.Data)) {
				return m.Data
			}
		case <-deadline:
			c.t.Fatalf("no %s within %v", name, d)
		}
	}
}

// callState waits for the call to reach state.
func (c *client) callState(callID, state string, d time.Duration) api.CallState {
	c.t.Helper()
	var cs api.CallState
	c.event(api.EvCallState, d, func(data []byte) bool {
		return json.Unmarshal(data, &cs) == nil && cs.CallID == callID && cs.State == state
	})
	return cs
}
