package phone

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/control"
)

// Every sentinel of errors.go wraps an api condition, so that control sends it with a
// code of its own and never as internal; a sentinel added to errors.go and not here
// fails too.
func TestEverySentinelHasAWireCode(t *testing.T) {
	sentinels := map[string]error{
		"ErrStopped": ErrStopped, "ErrNoCall": ErrNoCall, "ErrCallState": ErrCallState,
		"ErrLineBusy": ErrLineBusy, "ErrNoFreeLine": ErrNoFreeLine, "ErrNoCodec": ErrNoCodec,
		"ErrMedia": ErrMedia, "ErrHoldRefused": ErrHoldRefused, "ErrHoldTimeout": ErrHoldTimeout,
		"ErrSignalling": ErrSignalling,
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
