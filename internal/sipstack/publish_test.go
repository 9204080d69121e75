package sipstack

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// presenceServer answers PUBLISH as a presence agent (RFC 3903): a new entity-tag
// for each accepted state, 412 for a tag it does not know.
type presenceServer struct {
	mu    sync.Mutex
	etags map[string]bool
	next  int
}

// forget drops an entity-tag, as a server that lost our state.
func (ps *presenceServer) forget(tag string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	delete(ps.etags, tag)
}

func (ps *presenceServer) answer(_ *notifier, req *sip.Request) *sip.Response {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if h := req.GetHeader("SIP-If-Match"); h != nil && !ps.etags[h.Value()] {
		return sip.NewResponseFromRequest(req, 412, "Conditional Request Failed", nil)
	}
	ps.next++
	tag := "e" + strconv.Itoa(ps.next)
	ps.etags[tag] = true
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(sip.NewHeader("SIP-ETag", tag))
	res.AppendHeader(sip.NewHeader("Expires", req.GetHeader("Expires").Value()))
	return res
}

// TestPublishRefreshUpdateAndRemove: the first PUBLISH carries the document and no
// tag; the refresh carries the tag and no document; an update carries both; a 412
// brings the document again without a tag; Stop removes the state with Expires: 0.
func TestPublishRefreshUpdateAndRemove(t *testing.T) {
	clock := newFakeClock()
	st, rec := newTestStack(t, clock, nil)
	ps := &presenceServer{etags: map[string]bool{}}
	n := newNotifier(t, ps.answer)
	if err := st.SetAccount(Account{Server: n.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	pub, err := st.Publish(PublishOptions{Event: "presence", ContentType: "application/pidf+xml", Body: []byte("<open/>"), Expires: 600})
	if err != nil {
		t.Fatal(err)
	}
	first := n.expectSubscribe()
	if first.Method != sip.PUBLISH || first.GetHeader("SIP-If-Match") != nil || string(first.Body()) != "<open/>" ||
		first.GetHeader("Event").Value() != "presence" || first.Recipient.User != "alice" {
		t.Fatalf("first PUBLISH:\n%s", first)
	}
	if ev := subEvent[SubState](t, rec); ev.State != SubActive || ev.ID != pub.ID() || ev.Expires != 600 {
		t.Fatalf("state %+v", ev)
	}
	clock.next(t).fire <- time.Now()
	refresh := n.expectSubscribe()
	if h := refresh.GetHeader("SIP-If-Match"); h == nil || h.Value() != "e1" || len(refresh.Body()) != 0 {
		t.Fatalf("refresh:\n%s", refresh)
	}
	_ = subEvent[SubState](t, rec)
	clock.next(t) // the next refresh's timer, left waiting

	pub.Update([]byte("<closed/>"))
	update := n.expectSubscribe()
	if h := update.GetHeader("SIP-If-Match"); h == nil || h.Value() != "e2" || string(update.Body()) != "<closed/>" {
		t.Fatalf("update:\n%s", update)
	}
	_ = subEvent[SubState](t, rec)
	clock.next(t)

	ps.forget("e3")
	pub.Update([]byte("<open/>"))
	if lost := n.expectSubscribe(); lost.GetHeader("SIP-If-Match") == nil {
		t.Fatalf("update without the tag:\n%s", lost)
	}
	afresh := n.expectSubscribe()
	if afresh.GetHeader("SIP-If-Match") != nil || string(afresh.Body()) != "<open/>" {
		t.Fatalf("after 412:\n%s", afresh)
	}
	_ = subEvent[SubState](t, rec)
	clock.next(t)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := pub.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	gone := n.expectSubscribe()
	if gone.GetHeader("Expires").Value() != "0" || gone.GetHeader("SIP-If-Match").Value() != "e4" {
		t.Fatalf("removal:\n%s", gone)
	}
}

// TestPublishRefusedGivesUp: a server that does not take PUBLISH (405) ends the
// publication: a terminated state, and no more PUBLISH.
func TestPublishRefusedGivesUp(t *testing.T) {
	st, rec := newTestStack(t, newFakeClock(), nil)
	n := newNotifier(t, func(_ *notifier, req *sip.Request) *sip.Response {
		return sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil)
	})
	if err := st.SetAccount(Account{Server: n.hostPort(), Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(PublishOptions{Event: "presence", ContentType: "application/pidf+xml", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	n.expectSubscribe()
	if ev := subEvent[SubState](t, rec); ev.State != SubTerminated || ev.Code != 405 {
		t.Fatalf("state %+v", ev)
	}
	n.noSubscribe(300 * time.Millisecond)
}
