package sipstack

import "sync"

// routeTable holds, per account (by ID: "" the default), the resolved hops of
// its server found through DNS (routes.go): accounts on different domains each
// keep their own, and one registration's failover never moves another's calls.
// Safe for concurrent use.
type routeTable struct {
	mu sync.Mutex
	m  map[string]*serverRoutes
}

// of is the routes of the account with id, empty until its first resolution.
func (t *routeTable) of(id string) *serverRoutes {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*serverRoutes{}
	}
	r := t.m[id]
	if r == nil {
		r = &serverRoutes{}
		t.m[id] = r
	}
	return r
}

// forget drops what was resolved for the account with id (it was removed).
func (t *routeTable) forget(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, id)
}

// all is every account's routes.
func (t *routeTable) all() []*serverRoutes {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*serverRoutes, 0, len(t.m))
	for _, r := range t.m {
		out = append(out, r)
	}
	return out
}
