package sipstack

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startKamailio runs kamailio as registrar and record-routing proxy with
// digest auth on a free loopback port and returns its host:port. It skips
// when kamailio is absent, unless CI=true.
func startKamailio(t *testing.T, users map[string]string) string {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kamailio not installed")
		}
		t.Skip("kamailio not installed")
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile("/usr/share/kamailio/dbtext/kamailio/version")
	if err != nil {
		t.Fatal(err)
	}
	var sub strings.Builder
	sub.WriteString("id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n")
	id := 1
	for user, pass := range users {
		sum := md5.Sum([]byte(user + ":127.0.0.1:" + pass))
		fmt.Fprintf(&sub, "%d:%s:127.0.0.1:%s:%s:x\n", id, user, pass, hex.EncodeToString(sum[:]))
		id++
	}
	tmpl, err := os.ReadFile("testdata/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("{{LISTEN}}", addr, "{{MPATH}}", "/usr/lib/x86_64-linux-gnu/kamailio/modules/",
		"{{DB}}", db, "{{DIR}}", dir).Replace(string(tmpl))
	for name, data := range map[string]string{"db/version": string(version), "db/subscriber": sub.String(), "kamailio.cfg": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(dir, "kamailio.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	cmd := exec.Command(bin, "-f", filepath.Join(dir, "kamailio.cfg"), "-DD", "-E", "-Y", dir,
		"-P", filepath.Join(dir, "kamailio.pid"), "-w", dir)
	// A file, not a pipe: the forked workers keep it open. Its own process
	// group lets cleanup stop the main process and all its workers.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			t.Logf("kamailio output:\n%s", logs())
		}
	})
	// Ready once it answers an OPTIONS ping on its port.
	deadline := time.Now().Add(waitFor)
	for {
		if kamailioReady(addr) {
			return addr
		}
		select {
		case <-exited:
			t.Fatalf("kamailio exited:\n%s", logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("kamailio did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func kamailioReady(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	ping := "OPTIONS sip:" + addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + c.LocalAddr().String() + ";branch=z9hG4bKping\r\n" +
		"From: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:" + addr + ">\r\nCall-ID: ping\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte(ping)); err != nil {
		return false
	}
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	return err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0")
}

// TestKamailioRegisterAndCall registers two stacks with digest auth and
// calls from one to the other through the record-routing proxy.
func TestKamailioRegisterAndCall(t *testing.T) {
	server := startKamailio(t, map[string]string{"alice": "secret", "bob": "hunter2"})
	alice, aliceEv := newTestStack(t, nil, nil)
	bob, bobEv := newTestStack(t, nil, nil)
	for _, x := range []struct {
		st  *Stack
		rec *recorder
		acc Account
	}{
		{alice, aliceEv, Account{Server: server, Username: "alice", Password: "secret", DisplayName: "Alice"}},
		{bob, bobEv, Account{Server: server, Username: "bob", Password: "hunter2"}},
	} {
		if err := x.st.SetAccount(x.acc); err != nil {
			t.Fatal(err)
		}
		if err := x.st.Register(); err != nil {
			t.Fatal(err)
		}
		x.rec.reg() // registering
		if ev := x.rec.reg(); ev.State != RegRegistered {
			t.Fatalf("%s: %+v, want registered", x.acc.Username, ev)
		}
	}

	acc, _ := alice.account()
	target, err := ParseTarget("bob", acc)
	if err != nil {
		t.Fatal(err)
	}
	call, err := alice.Dial(DialOptions{Target: target, SDP: testSDP(40000)})
	if err != nil {
		t.Fatal(err)
	}
	in := bobEv.incoming()
	if in.FromUser != "alice" || in.FromName != "Alice" {
		t.Fatalf("bob sees caller %+v", in)
	}
	if err := in.Call.Ring(); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Provisional, 180)
	if err := in.Call.Answer(testSDP(40002)); err != nil {
		t.Fatal(err)
	}
	expectCall(t, aliceEv, call, Answered, 200)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup through the proxy: %v", err)
	}
	expectCall(t, aliceEv, call, Ended, 0)
	expectCall(t, bobEv, in.Call, RemoteBye, 0)

	if err := alice.Unregister(ctx); err != nil {
		t.Fatalf("Unregister: %v", err)
	}
	if ev := aliceEv.reg(); ev.State != RegUnregistered || ev.Code != 200 {
		t.Fatalf("%+v, want unregistered 200", ev)
	}
}
