package phone

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/control"
	"github.com/wpservice/wpservice/internal/sipstack"
)

// Every sentinel of errors.go wraps an api condition, so that control sends it with a
// code of its own and never as internal; a sentinel added to errors.go and not here
// fails too.
func TestEverySentinelHasAWireCode(t *testing.T) {
	sentinels := map[string]error{
		"ErrStopped": ErrStopped, "ErrNoCall": ErrNoCall, "ErrCallState": ErrCallState,
		"ErrLineBusy": ErrLineBusy, "ErrNoFreeLine": ErrNoFreeLine, "ErrNoCodec": ErrNoCodec,
		"ErrMedia": ErrMedia, "ErrHoldRefused": ErrHoldRefused, "ErrHoldTimeout": ErrHoldTimeout, "ErrTransferRefused": ErrTransferRefused,
		"ErrSignalling": ErrSignalling, "ErrStorage": ErrStorage, "ErrNoHistory": ErrNoHistory, "ErrNoChat": ErrNoChat,
		"ErrNoConference": ErrNoConference, "ErrNoSound": ErrNoSound, "ErrRecording": ErrRecording,
		"ErrNoContact": ErrNoContact, "ErrNoPickup": ErrNoPickup,
		"ErrNoSuchAccount": ErrNoSuchAccount, "ErrDefaultAccount": ErrDefaultAccount, "ErrNoAccounts": ErrNoAccounts,
	}
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			for _, name := range v.Names {
				if name.IsExported() {
					declared = append(declared, name.Name)
				}
			}
		}
		return true
	})
	if got := slices.Sorted(maps.Keys(sentinels)); !slices.Equal(slices.Sorted(slices.Values(declared)), got) {
		t.Fatalf("errors.go declares %v; this test knows %v", declared, got)
	}
	for name, err := range sentinels {
		if code := control.WireError(err).Code; code == api.CodeInternal {
			t.Errorf("%s (%q) reaches the client as internal", name, err)
		}
	}
}

// A refused re-INVITE says the peer's status as docs/protocol.md shows it, and keeps
// the stack's error for errors.As.
func TestHoldRefusalMessage(t *testing.T) {
	err := holdError(&sipstack.StatusError{Code: 488, Reason: "Not Acceptable Here"})
	var status *sipstack.StatusError
	if got := control.WireError(err); got.Code != api.CodeUnavailable || got.Message != "the peer refused the re-INVITE: 488 Not Acceptable Here" ||
		!errors.As(err, &status) || status.Code != 488 || !errors.Is(err, ErrHoldRefused) {
		t.Fatalf("hold refusal: %+v (%v)", got, err)
	}
}
