package phone

import (
	"slices"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

// The engine handles every declared command except the ones control answers itself
// (the connection's auth and subscriptions, the pairing gate), each once. control.New
// checks the same at start-up; this says which side is wrong.
func TestEngineHandlesEveryEngineCommand(t *testing.T) {
	answeredByControl := []string{"auth", "events.subscribe", "pair.approve", "pair.deny", "pair.list", "pair.request", "pair.revoke"}
	r := newRig(t, nil)
	var got []string
	for _, h := range r.p.Handlers() {
		if spec, ok := api.Lookup(h.Spec.Name); !ok || spec != h.Spec || h.Run == nil {
			t.Errorf("handler of %q: not a declared command, or no function", h.Spec.Name)
		}
		if slices.Contains(got, h.Spec.Name) {
			t.Errorf("%s handled twice", h.Spec.Name)
		}
		got = append(got, h.Spec.Name)
	}
	want := slices.DeleteFunc(slices.Clone(api.Commands), func(n string) bool { return slices.Contains(answeredByControl, n) })
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Fatalf("engine handles %v\nwant %v", got, want)
	}
}
