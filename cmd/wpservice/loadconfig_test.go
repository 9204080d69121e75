package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/config"
)

// The machine's config and then the user's overlay the defaults: the user's fields
// win, the machine's others stay, and the config names both sources.
func TestLoadConfigReadsTheMachinesFileThenTheUsers(t *testing.T) {
	dir := t.TempDir()
	machine := filepath.Join(dir, "etc", "config.json")
	writeFile(t, machine, `{"control":{"allowedOrigins":["https://crm.example.com"]},"sip":{"keepAlive":10,"udp":false}}`)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "home"))
	t.Setenv("HOME", filepath.Join(dir, "home"))
	saved := machineConfig
	machineConfig = machine
	t.Cleanup(func() { machineConfig = saved })

	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Sources, []string{config.SourceMachine}) || cfg.SIP.KeepAlive != 10 {
		t.Fatalf("machine only: sources %v, keepAlive %d", cfg.Sources, cfg.SIP.KeepAlive)
	}

	userDir, err := config.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(userDir, "config.json"), `{"sip":{"keepAlive":30}}`)
	cfg, err = loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Sources, []string{config.SourceMachine, config.SourceUser}) {
		t.Errorf("sources %v, want machine then user", cfg.Sources)
	}
	if cfg.SIP.KeepAlive != 30 || cfg.SIP.UDP || len(cfg.Control.AllowedOrigins) != 1 {
		t.Errorf("merged: keepAlive %d (want the user's 30), udp %v (want the machine's false), allowedOrigins %v",
			cfg.SIP.KeepAlive, cfg.SIP.UDP, cfg.Control.AllowedOrigins)
	}

	// --config names the one file read.
	cfg, err = loadConfig(filepath.Join(userDir, "config.json"))
	if err != nil || !reflect.DeepEqual(cfg.Sources, []string{config.SourceFile}) || !cfg.SIP.UDP {
		t.Errorf("--config: %v, sources %v, udp %v; want the file alone", err, cfg.Sources, cfg.SIP.UDP)
	}
}

func TestLoadConfigNamesTheMachinesFileInItsError(t *testing.T) {
	dir := t.TempDir()
	machine := filepath.Join(dir, "config.json")
	writeFile(t, machine, `{"sip":{"keepAlive":-1}}`)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "home"))
	saved := machineConfig
	machineConfig = machine
	t.Cleanup(func() { machineConfig = saved })
	if _, err := loadConfig(""); err == nil || !strings.Contains(err.Error(), machine) || !strings.Contains(err.Error(), "sip.keepAlive") {
		t.Errorf("err %v, want the machine file and the field named", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// status names the config files the engine was started with.
func TestStatusNamesTheConfigSources(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Control.Port, cfg.Control.FallbackPorts = 0, nil
	sockDir := filepath.Join(dir, "run") // owner-only, as the admin socket requires
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Control.AdminSocket = filepath.Join(sockDir, "admin.sock")
	cfg.SIP.ListenIP = "127.0.0.1"
	cfg.Audio = config.Audio{Backend: "null", Input: "null", Output: "null"}
	cfg.Sources = []string{config.SourceMachine, config.SourceUser}
	startRunEngine(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialAdmin(ctx, cfg.Control.AdminSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var s api.Snapshot
	if err := c.do(ctx, api.CmdStatus.Name, nil, &s); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Config, cfg.Sources) {
		t.Errorf("status config %v, want %v", s.Config, cfg.Sources)
	}
}

// A call policy and a time limit in a config file's settings reach the engine.
func TestConfigFileSettingsReachTheEngine(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse([]byte(`{"settings":{"dnd":true,"callTimeout":7200}}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Control.Port, cfg.Control.FallbackPorts = 0, nil
	sockDir := filepath.Join(dir, "run")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Control.AdminSocket = filepath.Join(sockDir, "admin.sock")
	cfg.SIP.ListenIP = "127.0.0.1"
	cfg.Audio = config.Audio{Backend: "null", Input: "null", Output: "null"}
	startRunEngine(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dialAdmin(ctx, cfg.Control.AdminSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var s api.Settings
	if err := c.do(ctx, api.CmdSettingsGet.Name, nil, &s); err != nil {
		t.Fatal(err)
	}
	if !s.DND || s.CallTimeout != 7200 {
		t.Errorf("settings dnd %v, callTimeout %d; want the file's true and 7200", s.DND, s.CallTimeout)
	}
}
