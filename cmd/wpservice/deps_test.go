package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wpservice/wpservice"

// TestImportRules enforces the package layering: control knows only the wire contract,
// the origin parser, the pairing store and the peer-user check; the local audio
// endpoint knows the devices and the wire contract but not the phone it serves; only
// sipstack imports sipgo and only audio/device imports malgo; the account model knows
// neither files nor secrets and the phone never reaches the password keeper; the leaf
// packages stay leaves (config may use the origin parser and the wire contract's
// settings, both leaves, localca the atomic write of store, itself a leaf). It runs `go list -deps` on
// each package and fails on a forbidden edge.
func TestImportRules(t *testing.T) {
	const (
		sipgo = "github.com/emiago/sipgo"
		malgo = "github.com/gen2brain/malgo"
	)
	internal := func(p string) string { return module + "/internal/" + p }
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{internal("api"), []string{module + "/"}},
		{internal("control"), []string{internal("phone"), internal("sipstack"), internal("media"), internal("audio"), sipgo, malgo}},
		{internal("pairing"), []string{internal("api"), internal("control"), internal("phone"), internal("config"), sipgo, malgo}},
		{internal("localca"), []string{module + "/internal/", sipgo, malgo}},
		{internal("peeruser"), []string{module + "/internal/", sipgo, malgo}},
		{internal("phone"), []string{internal("control"), internal("audio/device"), internal("accountstore"), internal("secret"), malgo}},
		{internal("account"), []string{internal("control"), internal("phone"), internal("sipstack"), internal("media"), internal("audio/device"), internal("store"), internal("secret"), internal("accountstore"), sipgo, malgo}},
		{internal("accountstore"), []string{internal("control"), internal("phone"), internal("sipstack"), internal("media"), internal("audio/device"), sipgo, malgo}},
		{internal("sipstack"), []string{internal("phone"), internal("control"), internal("media"), internal("audio"), internal("api"), malgo}},
		{internal("media"), []string{internal("phone"), internal("control"), internal("sipstack"), internal("api"), internal("audio/device"), sipgo, malgo}},
		{internal("audio"), []string{internal("audio/device"), internal("codec"), internal("api"), internal("phone"), sipgo, malgo}},
		{internal("codec"), []string{internal("audio/device"), internal("api"), internal("phone"), internal("media"), internal("sipstack"), internal("control"), sipgo, malgo}},
		{internal("audio/device"), []string{internal("api"), internal("phone"), internal("media"), internal("audio/endpoint"), sipgo}},
		{internal("audio/endpoint"), []string{internal("phone"), internal("control"), internal("sipstack"), internal("media"), internal("store"), sipgo}},
		{internal("store"), []string{module + "/internal/", sipgo, malgo}},
		{internal("config"), []string{module + "/internal/", sipgo, malgo}},
		{internal("origin"), []string{module + "/", sipgo, malgo}},
		{internal("netwatch"), []string{module + "/", sipgo, malgo}},
		{internal("history"), []string{internal("phone"), internal("control"), internal("sipstack"), internal("media"), internal("audio"), internal("store"), sipgo, malgo}},
		{internal("quality"), []string{module + "/", sipgo, malgo}},
		{internal("dsp"), []string{module + "/", sipgo, malgo}},
		{internal("presence"), []string{module + "/", sipgo, malgo}},
	}
	// exceptions to the rules above
	allowed := map[string][]string{internal("config"): {internal("origin"), internal("api")}, internal("localca"): {internal("store")}}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", r.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", r.pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 2 {
			t.Fatalf("go list -deps %s listed %d packages", r.pkg, len(deps))
		}
		for _, d := range deps {
			if d == r.pkg || slices.Contains(allowed[r.pkg], d) {
				continue
			}
			for _, f := range r.forbidden {
				if d == f || strings.HasPrefix(d, f+"/") || strings.HasSuffix(f, "/") && strings.HasPrefix(d, f) {
					t.Errorf("%s must not import %s (found %s)", r.pkg, f, d)
				}
			}
		}
	}
}

// The only importers of sipgo and malgo, across the whole module.
func TestOnlyAdaptersImportThirdPartyStacks(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	owners := map[string]string{"github.com/emiago/sipgo": module + "/internal/sipstack", "github.com/gen2brain/malgo": module + "/internal/audio/device"}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			for lib, owner := range owners {
				if (imp == lib || strings.HasPrefix(imp, lib+"/")) && f[0] != owner {
					t.Errorf("%s imports %s; only %s may", f[0], imp, owner)
				}
			}
		}
	}
}

// Wire errors are made at the edge: below control, packages return Go errors (their
// sentinels wrap the api conditions) and control maps them to codes in one table.
// This fails when an *api.Error is built anywhere else.
func TestWireErrorsAreMadeOnlyInControl(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.Dir}}{{range .GoFiles}} {{.}}{{end}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	mints := regexp.MustCompile(`api\.NewError\(|&api\.Error\{|api\.Error\{`)
	checked := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasSuffix(f[0], "/internal/control") || strings.HasSuffix(f[0], "/internal/api") {
			continue
		}
		for _, name := range f[1:] {
			src, err := os.ReadFile(filepath.Join(f[0], name))
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if loc := mints.FindIndex(src); loc != nil {
				line := 1 + strings.Count(string(src[:loc[0]]), "\n")
				t.Errorf("%s:%d builds a wire error; return a Go error wrapping an api condition instead", filepath.Join(f[0], name), line)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
}

// The engine does not link what it has no use for and what costs at start-up: a DTLS
// stack (pion/dtls, which brings encoding/gob and its type registrations) came with a
// STUN library for one Binding exchange, which internal/media now does itself.
func TestEngineLinksNoDTLS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/cmd/wpservice").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/internal/media") {
		t.Fatalf("go list -deps listed %d packages, without internal/media", len(deps))
	}
	for _, d := range deps {
		for _, f := range []string{"github.com/pion/dtls", "github.com/pion/stun", "encoding/gob"} {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("the engine links %s", d)
			}
		}
	}
}

// Every linked package's initialisation runs at every start of the engine, whichever
// command is run. A service library probes the init system and parses its templates
// there; the per-user service is the engine's own small code (service*.go).
func TestEngineLinksNoServiceLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/cmd/wpservice").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "os/exec") {
		t.Fatalf("go list -deps listed %d packages, without os/exec", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/kardianos/") {
			t.Errorf("the engine links %s", d)
		}
	}
}
