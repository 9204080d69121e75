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

// loadConfig reads path, or config.json in the user config dir when path is empty and
// that file exists, or else the embedded defaults.
func loadConfig(path string) (config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	if dir, err := config.DefaultDir(); err == nil {
		p := filepath.Join(dir, "config.json")
		if _, err := os.Stat(p); err == nil {
			return config.Load(p)
		}
	}
	return config.Default(), nil
}
