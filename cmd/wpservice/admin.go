package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/adminsock"
	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
)

// adminSocketPath is where the engine of cfg listens for the CLI: the configured
// path, else beside the engine's data when the config names a data directory (a
// socket file; on Windows, where the socket is a named pipe and no file, it stays the
// per-user pipe), else the per-user default.
func adminSocketPath(cfg config.Config) (string, error) {
	switch {
	case cfg.Control.AdminSocket != "":
		return cfg.Control.AdminSocket, nil
	case cfg.DataDir != "" && runtime.GOOS != "windows":
		return filepath.Join(cfg.DataDir, "admin.sock"), nil
	}
	return adminsock.DefaultPath()
}

// adminClient speaks the control protocol to the running engine over its admin
// socket, where the operating system vouches for the caller: no token, full rights.
type adminClient struct {
	ws   *websocket.Conn
	next int
}

func dialAdmin(ctx context.Context, path string) (*adminClient, error) {
	d := websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		NetDialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return adminsock.Dial(ctx, path)
		},
	}
	ws, _, err := d.DialContext(ctx, "ws://wpservice/ws", nil)
	if err != nil {
		return nil, err
	}
	c := &adminClient{ws: ws}
	if _, err := c.read(ctx); err != nil { // hello
		_ = ws.Close()
		return nil, err
	}
	return c, nil
}

func (c *adminClient) Close() error { return c.ws.Close() }

// reply is any server message; only responses matter to the CLI.
type reply struct {
	ID     string          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *api.Error      `json:"error"`
	Event  string          `json:"event"`
}

func (c *adminClient) read(ctx context.Context) (reply, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Second)
	}
	_ = c.ws.SetReadDeadline(deadline)
	var r reply
	err := c.ws.ReadJSON(&r)
	return r, err
}

// do runs one command and decodes its result into out (when not nil). A failed
// command returns its *api.Error.
func (c *adminClient) do(ctx context.Context, cmd string, args, out any) error {
	c.next++
	id := strconv.Itoa(c.next)
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	if err := c.ws.WriteJSON(api.Request{ID: id, Cmd: cmd, Args: raw}); err != nil {
		return err
	}
	for {
		r, err := c.read(ctx)
		if err != nil {
			return err
		}
		if r.Event != "" || r.ID != id {
			continue
		}
		if !r.OK {
			if r.Error == nil {
				return errors.New("engine refused the command without a reason")
			}
			return r.Error
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(r.Result, out)
	}
}

// explainDial turns a failure to reach the admin socket into advice.
func explainDial(path string, err error) error {
	if errors.Is(err, adminsock.ErrNotRunning) {
		return fmt.Errorf("the engine is not running (no admin socket at %s); start it with: wpservice start", path)
	}
	return fmt.Errorf("cannot reach the engine at %s: %w", path, err)
}
