package control

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// A declared command that nobody handles, or one handled twice, or a handler of a
// command internal/api does not declare, stops the server from being built: the
// mistake shows at start-up, never as unknown_command at run time.
func TestHandlersMustMatchTheDeclaredCommands(t *testing.T) {
	all := newFakeBackend().Handlers()
	without := func(name string) []api.Handler {
		var out []api.Handler
		for _, h := range all {
			if h.Spec.Name != name {
				out = append(out, h)
			}
		}
		return out
	}
	echo := func(context.Context, any) (any, error) { return nil, nil }
	undeclared := &api.Spec{Name: "call.teleport", Perm: api.PermControl}
	forged := *api.CmdCallDial.Spec // same name, not the declaration
	tests := []struct {
		name     string
		handlers []api.Handler
		want     string
	}{
		{"missing", without(api.CmdCallDial.Name), "no handler for call.dial"},
		{"two missing", without(api.CmdCallDial.Name)[1:], "no handler for"},
		{"twice", slices.Concat(all, []api.Handler{{Spec: api.CmdCallHold.Spec, Run: echo}}), "call.hold has two handlers"},
		{"one control answers", slices.Concat(all, []api.Handler{{Spec: api.CmdAuth.Spec, Run: echo}}), "auth has two handlers"},
		{"undeclared", slices.Concat(all, []api.Handler{{Spec: undeclared, Run: echo}}), "call.teleport is not declared"},
		{"forged declaration", slices.Concat(without(api.CmdCallDial.Name), []api.Handler{{Spec: &forged, Run: echo}}), "call.dial is not declared"},
		{"no function", slices.Concat(without(api.CmdStatus.Name), []api.Handler{{Spec: api.CmdStatus.Spec}}), "without a command or a function"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildRoutes(tc.handlers)
			if !errors.Is(err, ErrHandlers) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("buildRoutes: %v, want ErrHandlers saying %q", err, tc.want)
			}
		})
	}
	if _, err := buildRoutes(all); err != nil {
		t.Fatalf("a handler for every engine command: %v", err)
	}
	// And New refuses to build a server on such a backend.
	if _, err := New(Config{}, partialBackend{newFakeBackend(), without(api.CmdCallMute.Name)}); !errors.Is(err, ErrHandlers) {
		t.Fatalf("New with a missing handler: %v, want ErrHandlers", err)
	}
}

type partialBackend struct {
	*fakeBackend
	handlers []api.Handler
}

func (b partialBackend) Handlers() []api.Handler { return b.handlers }

// The engine's handlers get their args typed, and a zero value when the client sent
// none.
func TestHandleTypesTheArgs(t *testing.T) {
	var got *api.DialArgs
	h := api.Handle(api.CmdCallDial, func(_ context.Context, a *api.DialArgs) (api.DialResult, error) {
		got = a
		return api.DialResult{Line: 1, CallID: "c1"}, nil
	})
	if r, err := h.Run(context.Background(), &api.DialArgs{To: "bob"}); err != nil || got.To != "bob" || r.(api.DialResult).CallID != "c1" {
		t.Fatalf("Run: %v %v, args %+v", r, err, got)
	}
	if _, err := h.Run(context.Background(), nil); err != nil || got == nil || got.To != "" {
		t.Fatalf("Run without args: %v, args %+v", err, got)
	}
	if _, err := h.Run(context.Background(), (*api.DialArgs)(nil)); err != nil || got == nil {
		t.Fatalf("Run with a nil *DialArgs: %v", err)
	}
	if _, err := h.Run(context.Background(), &api.HoldArgs{}); err == nil {
		t.Fatal("Run accepted args of another command")
	}
}
