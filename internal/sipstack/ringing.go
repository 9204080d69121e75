package sipstack

import (
	"slices"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// ringingCalls are our outgoing calls that a party has answered with a provisional
// response carrying a To tag, until they end: an INVITE with Replaces may name the
// early dialog of one (replaces_in.go). sipgo knows no dialog before its 2xx.
type ringingCalls struct {
	mu    sync.Mutex
	calls map[string]*Call // by Call-ID
}

// add keeps c, whose INVITE rings.
func (r *ringingCalls) add(c *Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]*Call{}
	}
	r.calls[c.callID] = c
}

// remove forgets c.
func (r *ringingCalls) remove(c *Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls[c.callID] == c {
		delete(r.calls, c.callID)
	}
}

// list returns the calls kept.
func (r *ringingCalls) list() []*Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Call, 0, len(r.calls))
	for _, c := range r.calls {
		out = append(out, c)
	}
	return out
}

// noteRinging keeps the To tag of res, a provisional response to our INVITE from a
// party with an early dialog, and c among the ringing calls.
func (c *Call) noteRinging(res *sip.Response) {
	tag, _ := res.To().Params.Get("tag")
	if res.StatusCode == 100 || tag == "" {
		return
	}
	c.mu.Lock()
	if !slices.Contains(c.ringTags, tag) {
		c.ringTags = append(c.ringTags, tag)
	}
	c.mu.Unlock()
	c.st.ringing.add(c)
}
