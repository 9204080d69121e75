package control

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestStartBindsLoopbackOnly(t *testing.T) {
	s := startServer(t, Config{}, newFakeBackend(), nil)
	if s.Port() == 0 {
		t.Fatal("Port() = 0 after Start")
	}
	want := 1
	if haveIPv6Loopback() {
		want = 2
	}
	if len(s.listeners) != want {
		t.Fatalf("%d listeners, want %d", len(s.listeners), want)
	}
	for _, ln := range s.listeners {
		a := ln.Addr().(*net.TCPAddr)
		if !a.IP.IsLoopback() || a.Port != s.Port() {
			t.Errorf("listening on %v, want loopback port %d only", a, s.Port())
		}
	}
}

func TestHealthOnBothLoopbacks(t *testing.T) {
	s := startServer(t, Config{Version: "9.9.9"}, newFakeBackend(), nil)
	hosts := []string{"127.0.0.1"}
	if haveIPv6Loopback() {
		hosts = append(hosts, "[::1]")
	}
	client := http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	for _, h := range hosts {
		resp, err := client.Get("http://" + h + ":" + strconv.Itoa(s.Port()) + "/health")
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		want := `{"engine":"wpservice","version":"9.9.9","protocol":1}` + "\n"
		if resp.StatusCode != 200 || string(body) != want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %q, want 200 application/json %q", h, resp.StatusCode, resp.Header.Get("Content-Type"), body, want)
		}
	}
}

// occupy holds a loopback port for the test and returns it.
func occupy(t *testing.T, network, addr string) int {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestStartFallsBackWhenPortTaken(t *testing.T) {
	tests := []struct {
		name    string
		network string
		addr    string
	}{
		{"taken on 127.0.0.1", "tcp4", "127.0.0.1:0"},
		{"taken on ::1", "tcp6", "[::1]:0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			taken := occupy(t, tc.network, tc.addr)
			s, err := New(Config{Port: taken, FallbackPorts: []int{taken, 0}}, newFakeBackend())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(); err != nil {
				t.Fatalf("Start: %v", err)
			}
			defer s.Close()
			if p := s.Port(); p == taken || p == 0 {
				t.Fatalf("Port() = %d, want a fallback other than the taken %d", p, taken)
			}
		})
	}
}

func TestStartFailsWhenEveryPortIsTaken(t *testing.T) {
	taken := occupy(t, "tcp4", "127.0.0.1:0")
	s, err := New(Config{Port: taken, FallbackPorts: []int{taken}}, newFakeBackend())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrNoPort) {
		t.Fatalf("Start = %v, want ErrNoPort", err)
	}
}

func TestStartAndCloseLifecycle(t *testing.T) {
	s, err := New(Config{}, newFakeBackend())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start = %v, want ErrStarted", err)
	}
	port := s.Port()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Start after Close = %v, want ErrClosed", err)
	}
	// The port is free again.
	ln, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d still held after Close: %v", port, err)
	}
	_ = ln.Close()
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		backend Backend
		want    error
	}{
		{"nil backend", Config{}, nil, ErrNoBackend},
		{"negative port", Config{Port: -1}, newFakeBackend(), ErrInvalidPort},
		{"port too big", Config{Port: 65536}, newFakeBackend(), ErrInvalidPort},
		{"bad fallback", Config{FallbackPorts: []int{70000}}, newFakeBackend(), ErrInvalidPort},
		{"null origin", Config{AllowedOrigins: []string{"null"}}, newFakeBackend(), ErrInvalidOrigin},
		{"file origin", Config{AllowedOrigins: []string{"file://"}}, newFakeBackend(), ErrInvalidOrigin},
		{"wildcard origin", Config{AllowedOrigins: []string{"*"}}, newFakeBackend(), ErrInvalidOrigin},
		{"origin with path", Config{AllowedOrigins: []string{"https://crm.example.com/app"}}, newFakeBackend(), ErrInvalidOrigin},
		{"trailing slash", Config{AllowedOrigins: []string{"https://crm.example.com/"}}, newFakeBackend(), ErrInvalidOrigin},
		{"good", Config{Port: 18620, AllowedOrigins: []string{"https://CRM.example.com:443"}}, newFakeBackend(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, tc.backend)
			if !errors.Is(err, tc.want) {
				t.Fatalf("New = %v, want %v", err, tc.want)
			}
		})
	}
}
