package phone

import "testing"

func TestLineTableAlloc(t *testing.T) {
	lt := newLineTable(3)
	steps := []struct {
		name   string
		do     func()
		want   int
		wantN  int
		lookup string
	}{
		{name: "first free is 1", want: 1},
		{name: "then 2", do: func() { lt.set(1, &call{id: "a", sipID: "sa"}) }, want: 2, wantN: 1, lookup: "a"},
		{name: "then 3", do: func() { lt.set(2, &call{id: "b", sipID: "sb"}) }, want: 3, wantN: 2, lookup: "sb"},
		{name: "full", do: func() { lt.set(3, &call{id: "c"}) }, want: 0, wantN: 3},
		{name: "freed line reused lowest first", do: func() { lt.free(2) }, want: 2, wantN: 2},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		if got := lt.alloc(0); got != s.want {
			t.Errorf("%s: alloc = %d, want %d", s.name, got, s.want)
		}
		if got := lt.count(); got != s.wantN {
			t.Errorf("%s: count = %d, want %d", s.name, got, s.wantN)
		}
		if s.lookup != "" && lt.find(s.lookup) == nil {
			t.Errorf("%s: find(%q) = nil", s.name, s.lookup)
		}
	}
	if got := lt.alloc(2); got != 2 {
		t.Errorf("alloc(2) on a free line = %d", got)
	}
	if got := lt.alloc(1); got != 0 {
		t.Errorf("alloc(1) on a busy line = %d, want 0", got)
	}
	if got := lt.alloc(9); got != 0 {
		t.Errorf("alloc(9) out of range = %d, want 0", got)
	}
	if lt.get(0) != nil || lt.get(4) != nil {
		t.Error("get out of range returned a call")
	}
	if lt.find("nope") != nil {
		t.Error("find of an unknown id returned a call")
	}
}
