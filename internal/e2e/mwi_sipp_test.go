package e2e

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// SIPp as the account's registrar and voicemail server: once registered the engine
// subscribes to the account's message-summary and reports its NOTIFY as mwi.state;
// the refresh SIPp answers 481 is followed by a new subscription after a backoff;
// a malformed document is reported as such and changes nothing; the next one does.
func TestMWIFromSIPpVoicemailServer(t *testing.T) {
	sipp := testpeer.RunSIPp(t, testpeer.SIPpOptions{Scenario: testpeer.ScenarioPath(t, "uas_mwi.xml"), Calls: 3})
	e := startEngine(t, engineOptions{account: map[string]any{
		"server": "127.0.0.1:" + strconv.Itoa(sipp.LocalPort), "username": "alice", "register": true,
	}})
	c := e.connect(t)

	mwi := func(d json.RawMessage) api.MWIState {
		var m api.MWIState
		json.Unmarshal(d, &m)
		return m
	}
	// The first document may come before the connection: then the hello's snapshot has it.
	first := c.hello.Snapshot.MWI
	if first == (api.MWIState{}) {
		first = mwi(c.next(api.EvMWI, 10*time.Second, nil))
	}
	if first != (api.MWIState{Waiting: true, New: 2, Old: 8, MessageAccount: "sip:alice@127.0.0.1"}) {
		t.Fatalf("first voicemail box %+v", first)
	}
	sub := func(state string) api.SubscriptionState {
		var s api.SubscriptionState
		json.Unmarshal(c.next(api.EvSubscription, 10*time.Second, func(d json.RawMessage) bool {
			json.Unmarshal(d, &s)
			return s.State == state
		}), &s)
		return s
	}
	if s := sub(api.SubRetrying); s.Code != 481 || s.Event != "message-summary" || s.Retry > 2 {
		t.Errorf("after the refused refresh: %+v", s)
	}
	if s := sub(api.SubActive); s.Code != 200 {
		t.Errorf("subscribed again: %+v", s)
	}
	if s := sub(api.SubMalformed); s.Event != "message-summary" || s.Reason == "" {
		t.Errorf("malformed document: %+v", s)
	}
	if got := mwi(c.next(api.EvMWI, 10*time.Second, nil)); got != (api.MWIState{Waiting: true, New: 5, Old: 1}) {
		t.Fatalf("mwi.state after the malformed document %+v, want the next document's", got)
	}
	var snap api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &snap)
	if snap.MWI.New != 5 || snap.MWI.Old != 1 {
		t.Errorf("snapshot mwi %+v", snap.MWI)
	}
	if code, log := sipp.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("SIPp (registrar and voicemail server) exited %d:\n%s", code, log)
	}
}
