package phone

// lineTable holds the calls by line, 1..len. Owned by the actor: no locking.
type lineTable struct {
	calls []*call
}

func newLineTable(n int) lineTable { return lineTable{calls: make([]*call, n)} }

// alloc returns the lowest free line, or 0 when all are busy. want > 0 asks for that
// line only.
func (t *lineTable) alloc(want int) int {
	if want > 0 {
		if want <= len(t.calls) && t.calls[want-1] == nil {
			return want
		}
		return 0
	}
	for i, c := range t.calls {
		if c == nil {
			return i + 1
		}
	}
	return 0
}

func (t *lineTable) set(line int, c *call) { t.calls[line-1] = c }
func (t *lineTable) free(line int)         { t.calls[line-1] = nil }

// get returns the call on line, or nil.
func (t *lineTable) get(line int) *call {
	if line < 1 || line > len(t.calls) {
		return nil
	}
	return t.calls[line-1]
}

// find returns the call with engine id or SIP Call-ID id.
func (t *lineTable) find(id string) *call {
	if id == "" {
		return nil // an outgoing call has no SIP Call-ID before its INVITE
	}
	for _, c := range t.calls {
		if c != nil && (c.id == id || c.sipID == id) {
			return c
		}
	}
	return nil
}

// each calls fn for every call in line order.
func (t *lineTable) each(fn func(*call)) {
	for _, c := range t.calls {
		if c != nil {
			fn(c)
		}
	}
}

func (t *lineTable) count() int {
	n := 0
	t.each(func(*call) { n++ })
	return n
}
