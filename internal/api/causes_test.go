package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCausesListsEveryCause: a Cause constant added to events.go and not to Causes
// fails here, so the clients checked against Causes learn of it.
func TestCausesListsEveryCause(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "events.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		v, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range v.Names {
			if !strings.HasPrefix(name.Name, "Cause") || i >= len(v.Values) {
				continue
			}
			if lit, ok := v.Values[i].(*ast.BasicLit); ok {
				s, _ := strconv.Unquote(lit.Value)
				declared = append(declared, s)
			}
		}
		return true
	})
	if len(declared) == 0 {
		t.Fatal("no Cause constants found in events.go")
	}
	if got, want := slices.Sorted(slices.Values(Causes)), slices.Sorted(slices.Values(declared)); !slices.Equal(got, want) {
		t.Errorf("Causes = %v\nevents.go declares %v", got, want)
	}
}
