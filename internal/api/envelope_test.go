package api

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestEnvelopeWireShapes(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"ok response", OK("7", DialResult{Line: 2, CallID: "c3"}), `{"id":"7","ok":true,"result":{"line":2,"callId":"c3"}}`},
		{"error response", Fail("8", NewError(CodeNoFreeLine, "all 4 lines are busy")), `{"id":"8","ok":false,"error":{"code":"no_free_line","message":"all 4 lines are busy"}}`},
		{"event", Event{Seq: 12, Event: EvRegState, Data: RegState{State: RegFailed, Code: 403, Reason: "Forbidden"}}, `{"seq":12,"event":"reg.state","data":{"state":"failed","code":403,"reason":"Forbidden"}}`},
		{"account hides the password", Account{Server: "pbx", HasPassword: true, Codecs: []string{"PCMU"}}, `{"server":"pbx","username":"","authUsername":"","hasPassword":true,"displayName":"","transport":"","outboundProxy":"","registerInterval":0,"codecs":["PCMU"],"register":false}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s:\n got %s %v\nwant %s", tt.name, b, err, tt.want)
		}
	}
}

func TestRequestDecode(t *testing.T) {
	var r Request
	if err := json.Unmarshal([]byte(`{"id":"1","cmd":"call.dial","args":{"to":"sip:bob@pbx","line":2}}`), &r); err != nil {
		t.Fatal(err)
	}
	var d DialArgs
	if err := json.Unmarshal(r.Args, &d); err != nil || r.ID != "1" || r.Cmd != CmdCallDial.Name || d.To != "sip:bob@pbx" || d.Line != 2 {
		t.Errorf("decoded %+v %+v %v", r, d, err)
	}
	var h HangupArgs
	if err := json.Unmarshal([]byte(`{"callId":"c1","all":true}`), &h); err != nil || h.CallID != "c1" || !h.All {
		t.Errorf("embedded CallRef: %+v %v", h, err)
	}
}

func TestNameListsSortedAndUnique(t *testing.T) {
	for name, list := range map[string][]string{"Commands": Commands, "Events": Events} {
		if !slices.IsSorted(list) {
			t.Errorf("%s not sorted: %v", name, list)
		}
		if len(slices.Compact(slices.Clone(list))) != len(list) {
			t.Errorf("%s has duplicates", name)
		}
	}
}
