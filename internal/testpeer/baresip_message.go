package testpeer

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Instant messages (SIP MESSAGE) with baresip 1.0: its contact module sends one to
// the current contact (the one of BaresipOptions.MessageTo); its menu module
// answers each one it receives 200 and shows it to the user interfaces as
// `<sender>: "<text>"`. ctrl_tcp pushes no event for a message and the stdio
// interface needs a terminal, so the cons module serves as the interface: the
// console connection it writes to is read into console.

// console is what baresip's cons module wrote to our connection.
type console struct {
	mu   sync.Mutex
	text strings.Builder
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.Write(p)
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.String()
}

// messageConfig is the configuration that lets baresip send to contact and show
// the messages it receives on a console at consAddr.
func messageConfig(contact, consAddr string) string {
	return "module\tcons.so\ncons_listen\t" + consAddr + "\nmodule_app\tcontact.so\n"
}

// openConsole connects to baresip's cons module at addr (loaded with the other
// modules, before ctrl_tcp answers) and copies what it shows into b.console
// until the connection closes.
func (b *Baresip) openConsole(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return fmt.Errorf("baresip's console %s: %w", addr, err)
	}
	b.console = &console{}
	b.consoleConn = conn
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			_, _ = b.console.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return nil
}

// SendMessage sends text in a SIP MESSAGE to BaresipOptions.MessageTo, through the
// registrar when baresip registers.
func (b *Baresip) SendMessage(t TB, text string) {
	t.Helper()
	if !b.contactSet {
		b.mustCommand(t, "contact_next", "") // the first, and only, contact
		b.contactSet = true
	}
	b.mustCommand(t, "message", text)
}

// MessageReceived reports whether baresip has shown a MESSAGE with text.
func (b *Baresip) MessageReceived(text string) bool {
	return b.console != nil && strings.Contains(b.console.String(), `: "`+text+`"`)
}
