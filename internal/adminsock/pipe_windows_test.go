//go:build windows

// These tests run on Windows, and under wine through internal/dist
// (TestAdminPipeUnderWine). They make no files: wine cannot remove a test's
// temporary directory.
package adminsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

var pipeSeq atomic.Int64

// testPipe is a pipe name of this test alone.
func testPipe(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf(`\\.\pipe\wpservice-test-%d-%d`, os.Getpid(), pipeSeq.Add(1))
}

// underWine reports whether the test runs under wine, whose ntdll has
// wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// listenEcho listens at path and answers every line of every client with the
// same line, until the test ends.
func listenEcho(t *testing.T, path string) net.Listener {
	t.Helper()
	ln, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			})
		}
	})
	return ln
}

// exchange dials path and sends a line, which must come back within 10 s.
func exchange(t *testing.T, path, line string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, path)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || got != line+"\n" {
		t.Fatalf("the pipe answered %q, %v; want %q", got, err, line)
	}
}

// The first client of a new pipe completes its exchange, and so do the ones after
// it, one after another and at once.
func TestPipeFirstClientCompletes(t *testing.T) {
	path := testPipe(t)
	listenEcho(t, path)
	exchange(t, path, "first")
	exchange(t, path, "second")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { exchange(t, path, fmt.Sprint("client ", i)) })
	}
	wg.Wait()
}

// A pipe name that exists is never shared: neither a second engine's, nor one
// someone else made first, nor ours while a client holds an instance of it.
// Windows' promise (FILE_FLAG_FIRST_PIPE_INSTANCE): wine opens a pipe that exists
// whatever the creation asks, so there the test is skipped.
func TestPipeRefusesAnExistingName(t *testing.T) {
	if underWine() {
		t.Skip("wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE (and NtCreateNamedPipeFile's FILE_CREATE): a pipe that exists is opened")
	}
	path := testPipe(t)
	listenEcho(t, path)
	if ln, err := Listen(path, nil); !errors.Is(err, ErrInUse) {
		if ln != nil {
			ln.Close()
		}
		t.Errorf("a second Listen: %v, want ErrInUse", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ln, err := Listen(path, nil); !errors.Is(err, ErrInUse) {
		if ln != nil {
			ln.Close()
		}
		t.Errorf("Listen while a client is connected: %v, want ErrInUse", err)
	}

	squatted := testPipe(t)
	squatter, err := winio.ListenPipe(squatted, nil) // the default DACL: anyone may open it
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	if ln, err := Listen(squatted, nil); !errors.Is(err, ErrInUse) {
		if ln != nil {
			ln.Close()
		}
		t.Errorf("Listen on a name someone else made: %v, want ErrInUse", err)
	}
}

// The pipe's DACL is protected and has one entry: full access for the current
// user, no one else.
func TestPipeOwnerOnlyDACL(t *testing.T) {
	path := testPipe(t)
	listenEcho(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := windows.Handle(c.(interface{ Fd() uintptr }).Fd())
	sd, err := windows.GetSecurityInfo(h, windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	control, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	if control&windows.SE_DACL_PROTECTED == 0 {
		t.Errorf("the DACL is not protected: %s", sd)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("no DACL: %v (%s)", err, sd)
	}
	sid, err := currentSID()
	if err != nil {
		t.Fatal(err)
	}
	if dacl.AceCount != 1 {
		t.Fatalf("the DACL has %d entries, want 1: %s", dacl.AceCount, sd)
	}
	var ace *windows.ACCESS_ALLOWED_ACE
	if err := windows.GetAce(dacl, 0, &ace); err != nil {
		t.Fatal(err)
	}
	got := (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String()
	if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || got != sid {
		t.Errorf("the DACL's entry is type %d for %s, want an allow for %s: %s", ace.Header.AceType, got, sid, sd)
	}
}

// Close ends a waiting Accept, and the name goes with the listener.
func TestPipeCloseEndsAccept(t *testing.T) {
	path := testPipe(t)
	ln, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if c != nil {
			c.Close()
		}
		accepted <- err
	}()
	ln.Close()
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Accept still waits 10 s after Close")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := Dial(ctx, path); !errors.Is(err, ErrNotRunning) {
		if c != nil {
			c.Close()
		}
		t.Errorf("Dial after Close: %v, want ErrNotRunning", err)
	}
}
