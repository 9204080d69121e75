//go:build windows

package adminsock

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"sync"
	"time"
	"unsafe"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// pipeBufferSize is each pipe instance's input and output buffer: the admin
// channel carries small HTTP and WebSocket messages.
const pipeBufferSize = 4096

// pipeListener serves the admin pipe. From Listen to Close it always holds one
// instance of the pipe waiting for the next client, so the name never lapses for
// someone else to create:
//
//   - the first instance is made with FILE_FLAG_FIRST_PIPE_INSTANCE, which fails
//     when the name exists, so a pipe someone made first is never shared (wine
//     ignores the flag: there only Windows keeps this promise);
//   - when a client connects, the next instance is made before the connected one
//     is handed out; if it cannot be, that client is dropped and its instance waits
//     again.
//
// Every instance carries the owner-only security descriptor and rejects remote
// clients. Clients connect to the waiting instance, the first one included.
// (go-winio's listener keeps its first instance unconnectable and makes a
// connectable one per Accept; wine connects the first client to that first
// instance anyway, where nothing ever answers it.)
type pipeListener struct {
	path string
	name *uint16
	sa   *windows.SecurityAttributes // the owner-only security descriptor
	log  *slog.Logger

	closeOnce sync.Once
	closing   windows.Handle // manual-reset event, set by Close to end a waiting Accept

	acceptMu  sync.Mutex // one Accept at a time; Close takes it to free the instance
	waiting   windows.Handle
	connected windows.Handle     // manual-reset event of the waiting instance's connect
	ov        windows.Overlapped // the connect's; in the listener so that it never moves
}

// listenPipe makes the pipe's first instance at path, with the security
// descriptor sddl. A name that exists gives ERROR_ACCESS_DENIED.
func listenPipe(path, sddl string, log *slog.Logger) (*pipeListener, error) {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return nil, fmt.Errorf("adminsock: security descriptor: %w", err)
	}
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("adminsock: pipe name: %w", err)
	}
	l := &pipeListener{
		path: path,
		name: name,
		sa:   &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd},
		log:  log,
	}
	if l.waiting, err = l.instance(windows.FILE_FLAG_FIRST_PIPE_INSTANCE); err != nil {
		return nil, &fs.PathError{Op: "create pipe", Path: path, Err: err}
	}
	if l.closing, err = windows.CreateEvent(nil, 1, 0, nil); err == nil {
		l.connected, err = windows.CreateEvent(nil, 1, 0, nil)
	}
	if err != nil {
		l.release()
		return nil, fmt.Errorf("adminsock: event: %w", err)
	}
	return l, nil
}

// instance makes an instance of the pipe for overlapped I/O, with flags added to
// its open mode.
func (l *pipeListener) instance(flags uint32) (windows.Handle, error) {
	return windows.CreateNamedPipe(l.name,
		windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED|flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, pipeBufferSize, pipeBufferSize, 0, l.sa)
}

// Accept waits for a client on the waiting instance and returns it as a
// connection, once the next instance waits in its place.
func (l *pipeListener) Accept() (net.Conn, error) {
	l.acceptMu.Lock()
	defer l.acceptMu.Unlock()
	for {
		if l.waiting == 0 {
			return nil, net.ErrClosed
		}
		err := l.connect()
		if errors.Is(err, windows.ERROR_NO_DATA) { // the client left before it was taken
			_ = windows.DisconnectNamedPipe(l.waiting)
			continue
		}
		if err != nil {
			return nil, err
		}
		next, err := l.instance(0)
		if err != nil {
			l.log.Warn("admin pipe: no instance for the next client; dropping this one", "err", err)
			_ = windows.DisconnectNamedPipe(l.waiting)
			continue
		}
		conn := l.waiting
		l.waiting = next
		f, err := winio.NewOpenFile(conn)
		if err != nil {
			windows.CloseHandle(conn)
			return nil, fmt.Errorf("adminsock: pipe connection: %w", err)
		}
		return &pipeConn{file: f.(pipeFile), addr: pipeAddr(l.path)}, nil
	}
}

// connect waits until a client connects to the waiting instance, or Close.
func (l *pipeListener) connect() error {
	if err := windows.ResetEvent(l.connected); err != nil {
		return err
	}
	l.ov = windows.Overlapped{HEvent: l.connected}
	switch err := windows.ConnectNamedPipe(l.waiting, &l.ov); {
	case err == nil, errors.Is(err, windows.ERROR_PIPE_CONNECTED): // connected before the call
		return nil
	case !errors.Is(err, windows.ERROR_IO_PENDING):
		return fmt.Errorf("adminsock: connect pipe: %w", err)
	}
	var n uint32
	which, err := windows.WaitForMultipleObjects([]windows.Handle{l.connected, l.closing}, false, windows.INFINITE)
	if err == nil && which == windows.WAIT_OBJECT_0 {
		return windows.GetOverlappedResult(l.waiting, &l.ov, &n, false)
	}
	// Closing: the pending connect is cancelled, and done with l.ov, before returning.
	_ = windows.CancelIoEx(l.waiting, &l.ov)
	_ = windows.GetOverlappedResult(l.waiting, &l.ov, &n, true)
	if err != nil {
		return fmt.Errorf("adminsock: wait for a pipe client: %w", err)
	}
	return net.ErrClosed
}

// Close ends a waiting Accept and closes the waiting instance; connections
// already accepted stay open. The name goes once they are all closed.
func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() {
		_ = windows.SetEvent(l.closing)
		l.acceptMu.Lock()
		defer l.acceptMu.Unlock()
		l.release()
	})
	return nil
}

// release closes the waiting instance and the events. Caller holds acceptMu, or
// is listenPipe.
func (l *pipeListener) release() {
	for _, h := range []*windows.Handle{&l.waiting, &l.closing, &l.connected} {
		if *h != 0 {
			windows.CloseHandle(*h)
			*h = 0
		}
	}
}

// Addr is the pipe's name.
func (l *pipeListener) Addr() net.Addr { return pipeAddr(l.path) }

// pipeFile is what go-winio's NewOpenFile returns: overlapped reads and writes
// with deadlines.
type pipeFile interface {
	io.ReadWriteCloser
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// pipeConn is an accepted client of the admin pipe.
type pipeConn struct {
	file pipeFile
	addr pipeAddr
}

func (c *pipeConn) Read(b []byte) (int, error)  { return c.file.Read(b) }
func (c *pipeConn) Write(b []byte) (int, error) { return c.file.Write(b) }

// Close closes the instance: the client reads what was written, then the end.
func (c *pipeConn) Close() error                       { return c.file.Close() }
func (c *pipeConn) LocalAddr() net.Addr                { return c.addr }
func (c *pipeConn) RemoteAddr() net.Addr               { return c.addr }
func (c *pipeConn) SetReadDeadline(t time.Time) error  { return c.file.SetReadDeadline(t) }
func (c *pipeConn) SetWriteDeadline(t time.Time) error { return c.file.SetWriteDeadline(t) }
func (c *pipeConn) SetDeadline(t time.Time) error {
	return errors.Join(c.file.SetReadDeadline(t), c.file.SetWriteDeadline(t))
}

// pipeAddr is a named pipe's address: its name.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }
