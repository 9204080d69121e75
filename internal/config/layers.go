package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Layer is one config file the engine may read: the machine's, provisioned by an
// administrator for every user, or the user's own.
type Layer struct {
	Source string // what status reports: "machine" or "user"
	Path   string
}

// The sources a loaded config names (Config.Sources).
const (
	SourceMachine = "machine" // MachinePath: the administrator's, for every user
	SourceUser    = "user"    // config.json in the user's config directory
	SourceFile    = "file"    // the one file named with --config
)

// MachinePath is the machine-wide config file: /etc/wpservice/config.json,
// %ProgramData%\wpservice\config.json on Windows, and /Library/Application
// Support/wpservice/config.json on macOS.
func MachinePath() string {
	switch runtime.GOOS {
	case "windows":
		dir := os.Getenv("ProgramData")
		if dir == "" {
			dir = `C:\ProgramData`
		}
		return filepath.Join(dir, "wpservice", "config.json")
	case "darwin":
		return "/Library/Application Support/wpservice/config.json"
	}
	return "/etc/wpservice/config.json"
}

// LoadLayers overlays each layer's file that exists, in order, on the defaults:
// a later file overrides an earlier one field by field (a list replaces the whole
// list), so the user's own file wins over the machine's. The result is validated
// once, and Sources names the layers that were read.
func LoadLayers(layers ...Layer) (Config, error) {
	c := Default()
	for _, l := range layers {
		data, err := os.ReadFile(l.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Config{}, err
		}
		if err := overlay(&c, data); err != nil {
			return Config{}, fmt.Errorf("%s: %w", l.Path, err)
		}
		c.Sources = append(c.Sources, l.Source)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", describe(layers, c.Sources), err)
	}
	return c, nil
}

// overlay decodes data onto c, refusing unknown fields.
func overlay(c *Config, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// describe names the files read, for an error about their merged result.
func describe(layers []Layer, read []string) string {
	var paths []string
	for _, l := range layers {
		for _, s := range read {
			if s == l.Source {
				paths = append(paths, l.Path)
				break
			}
		}
	}
	if len(paths) == 0 {
		return "config"
	}
	return fmt.Sprint(paths)
}
