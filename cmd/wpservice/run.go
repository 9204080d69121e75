package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/wpservice/wpservice/internal/config"
)

// runEngineCmd is "wpservice run": it reads the flags and the config, sets up
// logging and runs the engine until SIGINT or SIGTERM.
func runEngineCmd(args []string, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		return 2
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		fmt.Fprintln(stderr, "wpservice:", err)
		return 1
	}
	if f.logLevel != "" {
		cfg.Log.Level = f.logLevel
		if err := cfg.Validate(); err != nil {
			fmt.Fprintln(stderr, "wpservice: --log-level:", err)
			return 2
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		fmt.Fprintln(stderr, "wpservice: log level:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runEngine(ctx, cfg, log); err != nil {
		log.Error("engine stopped", "err", err)
		return 1
	}
	return 0
}

// machineConfig is the administrator's config file for every user of the machine.
var machineConfig = config.MachinePath()

// loadConfig reads path alone when it is given. Without it, the machine's config file
// and then config.json in the user config dir, each if it exists, overlay the
// embedded defaults: the user's fields override the machine's (config.LoadLayers).
func loadConfig(path string) (config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	layers := []config.Layer{{Source: config.SourceMachine, Path: machineConfig}}
	if dir, err := config.DefaultDir(); err == nil {
		layers = append(layers, config.Layer{Source: config.SourceUser, Path: filepath.Join(dir, "config.json")})
	}
	return config.LoadLayers(layers...)
}
