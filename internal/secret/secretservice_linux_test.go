//go:build linux

package secret

import (
	"bufio"
	"bytes"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// startTimeout bounds how long the test waits for a daemon it started to be ready.
const startTimeout = 10 * time.Second

// busConfig is a session bus with no service directories, so nothing is started by
// D-Bus activation behind the test's back (the stock session.conf would launch the
// system's gnome-keyring on the first call to org.freedesktop.secrets).
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// TestSecretService runs Keyring and Open against a real gnome-keyring on a private
// session bus. The steps share one test because godbus caches the process's session bus
// connection: each step sets DBUS_SESSION_BUS_ADDRESS before its first keyring call,
// and the bus's cleanup closes the cached connection before the bus goes away.
func TestSecretService(t *testing.T) {
	requireTools(t, "dbus-daemon", "gnome-keyring-daemon")
	dir := t.TempDir()
	const service = "wpservice-test"
	const secret = "s3cr3t-hunter2-value"

	t.Run("dead bus", func(t *testing.T) {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "nobody-listens"))
		var logs bytes.Buffer
		path := filepath.Join(dir, "fallback", "secrets.json")
		if k := Open(service, path, slog.New(slog.NewTextHandler(&logs, nil))); k.Kind() != KindFile {
			t.Fatalf("Open with a dead bus: Kind() = %q, want %q", k.Kind(), KindFile)
		}
		if !strings.Contains(logs.String(), "no usable Secret Service on the session bus; passwords kept in a file, owner-only") ||
			!strings.Contains(logs.String(), path) {
			t.Errorf("fallback log lacks the reason or the file:\n%s", logs.String())
		}
		err := Keyring{Service: service}.Set("account:1", secret)
		if err == nil {
			t.Fatal("Keyring.Set with a dead bus succeeded")
		}
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error carries the secret: %v", err)
		}
	})

	addr := startBus(t, dir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	t.Run("bus without Secret Service", func(t *testing.T) {
		if k := Open(service, filepath.Join(dir, "secrets.json"), nil); k.Kind() != KindFile {
			t.Fatalf("Kind() = %q, want %q", k.Kind(), KindFile)
		}
	})

	startGnomeKeyring(t, dir, addr)

	t.Run("round trip", func(t *testing.T) {
		k := Keyring{Service: service}
		if _, err := k.Get("account:1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
		}
		if err := k.Set("account:1", secret); err != nil {
			t.Fatal(err)
		}
		if err := k.Set("account:1", secret+"-new"); err != nil { // replaces, not duplicates
			t.Fatal(err)
		}
		if got, err := k.Get("account:1"); err != nil || got != secret+"-new" {
			t.Fatalf("Get = %q, %v; want %q", got, err, secret+"-new")
		}
		// Another service's entry of the same name is a different secret.
		if _, err := (Keyring{Service: service + "-other"}).Get("account:1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get under another service: err = %v, want ErrNotFound", err)
		}
		if err := k.Delete("account:1"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get("account:1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
		}
		if err := k.Delete("account:1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete of a missing name: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("Open picks the keyring", func(t *testing.T) {
		path := filepath.Join(dir, "unused", "secrets.json")
		k := Open(service, path, nil)
		if k.Kind() != KindKeyring {
			t.Fatalf("Kind() = %q, want %q", k.Kind(), KindKeyring)
		}
		if err := k.Set("account:2", secret); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k.Delete("account:2") })
		if got, err := (Keyring{Service: service}).Get("account:2"); err != nil || got != secret {
			t.Fatalf("Get = %q, %v; want %q", got, err, secret)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the fallback file was touched: stat err = %v", err)
		}
	})
}

// requireTools skips the test when a command is missing, or fails it under CI=true.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (CI=true): run scripts/deps.sh", name)
			}
			t.Skipf("%s not found: run scripts/deps.sh (Debian packages dbus-daemon, gnome-keyring)", name)
		}
	}
}

// startBus starts a private session bus in dir and returns its address. At cleanup it
// closes the process's cached session bus connection, then stops the daemon.
func startBus(t *testing.T, dir string) string {
	t.Helper()
	conf := filepath.Join(dir, "bus.conf")
	socket := filepath.Join(dir, "bus")
	if err := os.WriteFile(conf, []byte(strings.Replace(busConfig, "SOCKET", socket, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startProcess(t, cmd)

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	select {
	case addr := <-lines:
		if addr == "" {
			t.Fatalf("dbus-daemon printed no address; stderr:\n%s", stderr.String())
		}
		t.Cleanup(closeSessionBus)
		return addr
	case <-time.After(startTimeout):
		t.Fatalf("dbus-daemon not ready after %v; stderr:\n%s", startTimeout, stderr.String())
		return ""
	}
}

// closeSessionBus closes godbus's cached session bus connection, if there is one, so
// that the next keyring call connects afresh to whatever DBUS_SESSION_BUS_ADDRESS says.
func closeSessionBus() {
	if conn, err := dbus.SessionBus(); err == nil {
		conn.Close()
	}
}

// startGnomeKeyring starts gnome-keyring-daemon's Secret Service on the bus at addr,
// with its keyrings under dir and a "login" keyring created, unlocked and made the
// default collection by the password on its stdin. It returns once the daemon owns
// org.freedesktop.secrets and the default collection exists.
func startGnomeKeyring(t *testing.T, dir, addr string) {
	t.Helper()
	home := filepath.Join(dir, "home")
	control := filepath.Join(dir, "keyring")
	for _, d := range []string{home, control} {
		if err := os.Mkdir(d, 0o700); err != nil { // gnome-keyring insists on 0700
			t.Fatal(err)
		}
	}

	watch, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	owned := make(chan *dbus.Signal, 8)
	watch.Signal(owned)
	if err := watch.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, "org.freedesktop.secrets"),
	); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--components=secrets",
		"--control-directory="+control, "--unlock")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"DBUS_SESSION_BUS_ADDRESS=" + addr,
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_RUNTIME_DIR=" + control,
	}
	cmd.Stdin = strings.NewReader("test-login-password")
	var output syncBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	startProcess(t, cmd)

	deadline := time.After(startTimeout)
	for taken := false; !taken; {
		select {
		case sig := <-owned: // also gets NameAcquired for our own connection
			taken = sig.Name == "org.freedesktop.DBus.NameOwnerChanged" &&
				len(sig.Body) == 3 && sig.Body[0] == "org.freedesktop.secrets" && sig.Body[2] != ""
		case <-deadline:
			t.Fatalf("gnome-keyring-daemon did not take org.freedesktop.secrets in %v; output:\n%s",
				startTimeout, output.String())
		}
	}
	var collection dbus.ObjectPath
	err = watch.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&collection)
	if err != nil || collection == "/" {
		t.Fatalf("no default collection (%q, %v); output:\n%s", collection, err, output.String())
	}
}

// startProcess starts cmd and, at cleanup, kills it by its PID and reaps it.
func startProcess(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

// syncBuffer is a bytes.Buffer safe for the writes of a child's output copier and the
// test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
