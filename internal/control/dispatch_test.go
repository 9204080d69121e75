package control

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func testTable(t testing.TB) commandTable {
	t.Helper()
	table, err := buildRoutes(newFakeBackend().Handlers())
	if err != nil {
		t.Fatal(err)
	}
	return table
}

func TestCommandTableMatchesAPI(t *testing.T) {
	table := testTable(t)
	got := slices.Sorted(maps.Keys(table))
	if !slices.Equal(got, api.Commands) {
		t.Fatalf("dispatch table %v\n!= api.Commands %v", got, api.Commands)
	}
	// The argument types documented in internal/api/commands.go.
	wantArgs := map[string]any{
		api.CmdAccountSet.Name:      &api.AccountArgs{},
		api.CmdSettingsSet.Name:     &api.SettingsArgs{},
		api.CmdCallDial.Name:        &api.DialArgs{},
		api.CmdCallAnswer.Name:      &api.CallRef{},
		api.CmdCallReject.Name:      &api.RejectArgs{},
		api.CmdCallHangup.Name:      &api.HangupArgs{},
		api.CmdCallDTMF.Name:        &api.DTMFArgs{},
		api.CmdCallMute.Name:        &api.MuteArgs{},
		api.CmdCallHold.Name:        &api.HoldArgs{},
		api.CmdCallIgnore.Name:      &api.CallRef{},
		api.CmdCallTransfer.Name:    &api.TransferArgs{},
		api.CmdCallReferral.Name:    &api.ReferralArgs{},
		api.CmdCallStats.Name:       &api.CallRef{},
		api.CmdCallForward.Name:     &api.ForwardArgs{},
		api.CmdDevicesVolume.Name:   &api.VolumeArgs{},
		api.CmdLineSelect.Name:      &api.LineArgs{},
		api.CmdDevicesSelect.Name:   &api.DeviceSelectArgs{},
		api.CmdEventsSubscribe.Name: &api.SubscribeArgs{},
		api.CmdAuth.Name:            &api.AuthArgs{},
		api.CmdPairApprove.Name:     &api.ApproveArgs{},
		api.CmdPairRequest.Name:     &api.PermissionArgs{},
		api.CmdPairDeny.Name:        &api.OriginArgs{},
		api.CmdPairRevoke.Name:      &api.OriginArgs{},
		api.CmdHistoryList.Name:     &api.HistoryListArgs{},
		api.CmdHistoryDelete.Name:   &api.HistoryRef{},
		api.CmdAudioPlay.Name:       &api.PlayArgs{},
		api.CmdCallRecord.Name:      &api.RecordArgs{},
		api.CmdContactsSet.Name:     &api.ContactArgs{},
		api.CmdContactsDelete.Name:  &api.ContactRef{},
		api.CmdContactsImport.Name:  &api.ImportArgs{},
		api.CmdBLFPickup.Name:       &api.PickupArgs{},
	}
	wantArgs[api.CmdConferenceAdd.Name], wantArgs[api.CmdConferenceRemove.Name] = &api.CallRef{}, &api.CallRef{}
	wantArgs[api.CmdChatSend.Name], wantArgs[api.CmdChatList.Name] = &api.ChatSendArgs{}, &api.ChatListArgs{}
	wantArgs[api.CmdChatRead.Name], wantArgs[api.CmdChatDelete.Name] = &api.ChatPeerArgs{}, &api.ChatDeleteArgs{}
	wantArgs[api.CmdAccountAdd.Name], wantArgs[api.CmdAccountUpdate.Name] = &api.AccountArgs{}, &api.AccountUpdateArgs{}
	wantArgs[api.CmdAccountRemove.Name] = &api.AccountRef{}
	wantArgs[api.CmdChatConversations.Name] = &api.ChatConversationsArgs{}
	// Every command's permission, as docs/protocol.md section 1.3 lists them.
	wantPerm := map[string]string{
		"auth": "", "status": api.PermRead, "account.get": api.PermRead, "settings.get": api.PermRead,
		"devices.list": api.PermRead, "events.subscribe": api.PermRead, "call.stats": api.PermRead,
		"register": api.PermControl, "unregister": api.PermControl, "call.dial": api.PermControl,
		"call.answer": api.PermControl, "call.reject": api.PermControl, "call.hangup": api.PermControl,
		"call.dtmf": api.PermControl, "call.mute": api.PermControl, "call.hold": api.PermControl,
		"call.ignore": api.PermControl, "call.transfer": api.PermControl, "call.referral": api.PermControl, "call.forward": api.PermControl, "devices.volume": api.PermControl, "line.select": api.PermControl,
		"devices.select": api.PermControl, "settings.set": api.PermControl,
		"account.set": api.PermAccount, "pair.request": api.PermControl, "pair.list": api.PermAdmin, "pair.approve": api.PermAdmin,
		"pair.deny": api.PermAdmin, "pair.revoke": api.PermAdmin,
		"history.list": api.PermRead, "history.delete": api.PermControl, "history.clear": api.PermControl,
		"conference.add": api.PermControl, "conference.remove": api.PermControl, "conference.hold": api.PermControl,
		"conference.resume": api.PermControl, "conference.split": api.PermControl,
		"chat.send": api.PermControl, "chat.list": api.PermControl, "chat.conversations": api.PermControl,
		"chat.read": api.PermControl, "chat.delete": api.PermControl,
		"accounts.list": api.PermRead, "account.add": api.PermAccount, "account.update": api.PermAccount, "account.remove": api.PermAccount,
		"audio.play": api.PermControl, "audio.stop": api.PermControl, "call.record": api.PermControl, "sounds.list": api.PermRead,
		"contacts.list": api.PermRead, "contacts.set": api.PermControl, "contacts.delete": api.PermControl, "contacts.import": api.PermControl,
		"blf.pickup": api.PermControl,
	}
	if got := slices.Sorted(maps.Keys(wantPerm)); !slices.Equal(got, api.Commands) {
		t.Errorf("this test's permission list %v\n!= api.Commands %v", got, api.Commands)
	}
	for name, r := range table {
		if perm, ok := wantPerm[name]; ok && r.spec.Perm != perm {
			t.Errorf("%s: permission %q, want %q", name, r.spec.Perm, perm)
		}
		want, hasArgs := wantArgs[name]
		switch {
		case !hasArgs && r.newArgs() != nil:
			t.Errorf("%s: takes %T, want no args", name, r.newArgs())
		case hasArgs && r.newArgs() == nil:
			t.Errorf("%s: takes no args, want %T", name, want)
		case hasArgs && reflect.TypeOf(r.newArgs()) != reflect.TypeOf(want):
			t.Errorf("%s: takes %T, want %T", name, r.newArgs(), want)
		}
	}
}

func TestJSONFields(t *testing.T) {
	got := slices.Sorted(maps.Keys(jsonFields(reflect.TypeFor[api.DTMFArgs]())))
	if want := []string{"callId", "digits", "line"}; !slices.Equal(got, want) {
		t.Fatalf("DTMFArgs fields %v, want %v", got, want)
	}
}

func TestDecodeRequest(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		msg     string
		id      string
		cmd     string
		args    any    // expected decoded args when ok
		code    string // expected error code; "" = ok
		message string // substring of the error message
	}{
		{"no args", `{"id":"1","cmd":"status"}`, "1", "status", nil, "", ""},
		{"null args", `{"id":"1","cmd":"status","args":null}`, "1", "status", nil, "", ""},
		{"empty envelope key", `{"id":"1","cmd":"status","":1}`, "1", "", nil, api.CodeBadRequest, `unknown field ""`},
		{"empty args key", `{"id":"1","cmd":"call.dial","args":{"to":"1","":1}}`, "1", "call.dial", nil, api.CodeInvalidArgs, `unknown field ""`},
		{"dial", `{"id":"7","cmd":"call.dial","args":{"to":"sip:bob@pbx","line":2}}`, "7", "call.dial",
			&api.DialArgs{To: "sip:bob@pbx", Line: 2}, "", ""},
		{"embedded CallRef", `{"id":"8","cmd":"call.dtmf","args":{"line":1,"callId":"c1","digits":"12#"}}`, "8", "call.dtmf",
			&api.DTMFArgs{CallRef: api.CallRef{Line: 1, CallID: "c1"}, Digits: "12#"}, "", ""},
		{"pointer fields", `{"id":"9","cmd":"account.set","args":{"server":"pbx","codecs":["PCMU"]}}`, "9", "account.set",
			&api.AccountArgs{Server: str("pbx"), Codecs: &[]string{"PCMU"}}, "", ""},
		{"missing args = zero value", `{"id":"a","cmd":"call.answer"}`, "a", "call.answer", &api.CallRef{}, "", ""},
		{"malformed", `{"id":`, "", "", nil, api.CodeBadRequest, "malformed"},
		{"trailing garbage", `{"id":"1","cmd":"status"} x`, "", "", nil, api.CodeBadRequest, "malformed"},
		{"array", `[]`, "", "", nil, api.CodeBadRequest, "object"},
		{"empty id", `{"id":"","cmd":"status"}`, "", "", nil, api.CodeBadRequest, "missing id"},
		{"unknown envelope field", `{"id":"1","cmd":"status","zz":1,"aa":2}`, "1", "", nil, api.CodeBadRequest, `"aa"`},
		{"empty cmd", `{"id":"1","cmd":""}`, "1", "", nil, api.CodeBadRequest, "missing cmd"},
		{"unknown cmd", `{"id":"1","cmd":"rm -rf"}`, "1", "rm -rf", nil, api.CodeUnknownCommand, "rm -rf"},
		{"wrong type", `{"id":"1","cmd":"call.mute","args":{"mute":"yes"}}`, "1", "call.mute", nil, api.CodeInvalidArgs, `field "mute": want boolean, got string`},
		{"wrong type in embedded", `{"id":"1","cmd":"call.mute","args":{"line":true}}`, "1", "call.mute", nil, api.CodeInvalidArgs, `field "line": want integer`},
		{"overflow", `{"id":"1","cmd":"line.select","args":{"line":1e40}}`, "1", "line.select", nil, api.CodeInvalidArgs, `"line"`},
		{"fraction", `{"id":"1","cmd":"line.select","args":{"line":1.5}}`, "1", "line.select", nil, api.CodeInvalidArgs, `"line"`},
		{"array element", `{"id":"1","cmd":"account.set","args":{"codecs":[1]}}`, "1", "account.set", nil, api.CodeInvalidArgs, `"codecs"`},
		{"unknown field", `{"id":"1","cmd":"call.dial","args":{"to":"x","bogus":1}}`, "1", "call.dial", nil, api.CodeInvalidArgs, `unknown field "bogus"`},
		{"case variant", `{"id":"1","cmd":"call.dial","args":{"TO":"x"}}`, "1", "call.dial", nil, api.CodeInvalidArgs, `unknown field "TO"`},
		{"args not object", `{"id":"1","cmd":"call.dial","args":"bob"}`, "1", "call.dial", nil, api.CodeInvalidArgs, "object"},
		{"args for argless cmd", `{"id":"1","cmd":"register","args":{"force":true}}`, "1", "register", nil, api.CodeInvalidArgs, `"force"`},
	}
	table := testTable(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := decodeRequest(table, []byte(tc.msg))
			if req.ID != tc.id {
				t.Errorf("id = %q, want %q", req.ID, tc.id)
			}
			if tc.code == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				if req.Cmd != tc.cmd || !reflect.DeepEqual(req.Args, tc.args) {
					t.Fatalf("got %s %#v, want %s %#v", req.Cmd, req.Args, tc.cmd, tc.args)
				}
				return
			}
			if err == nil || err.Code != tc.code || !strings.Contains(err.Message, tc.message) {
				t.Fatalf("error %v, want %s containing %q", err, tc.code, tc.message)
			}
		})
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","cmd":"status"}`,
		`{"id":"7","cmd":"call.dial","args":{"to":"sip:bob@pbx","line":2}}`,
		`{"id":"8","cmd":"call.dtmf","args":{"line":1,"digits":"12#"}}`,
		`{"id":"9","cmd":"account.set","args":{"server":"pbx","codecs":["PCMU"],"register":true}}`,
		`{"id":"s","cmd":"events.subscribe","args":{"log":true}}`,
		`{"id":"1","cmd":"line.select","args":{"line":1e40}}`,
		`{"id":"1","cmd":"call.dial","args":{"TO":"x"}}`,
		`{"id":1}`, `[]`, `null`, `{"id":"\ud800"}`, ``,
	} {
		f.Add([]byte(s))
	}
	table := testTable(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		req, err := decodeRequest(table, msg)
		if err != nil {
			switch err.Code {
			case api.CodeBadRequest, api.CodeUnknownCommand, api.CodeInvalidArgs:
			default:
				t.Fatalf("unexpected code %q", err.Code)
			}
			if err.Message == "" {
				t.Fatal("error without a message")
			}
		} else {
			r, known := table[req.Cmd]
			if req.ID == "" || !known {
				t.Fatalf("accepted %q: id %q cmd %q", msg, req.ID, req.Cmd)
			}
			if (r.newArgs() == nil) != (req.Args == nil) {
				t.Fatalf("%s: args %#v", req.Cmd, req.Args)
			}
			if req.Args != nil && reflect.TypeOf(req.Args) != reflect.TypeOf(r.newArgs()) {
				t.Fatalf("%s: args of type %T", req.Cmd, req.Args)
			}
		}
		// Whatever came in, the response can be sent.
		resp := api.Fail(req.ID, err)
		if err == nil {
			resp = api.OK(req.ID, req.Args)
		}
		if _, mErr := json.Marshal(resp); mErr != nil {
			t.Fatalf("response not encodable: %v", mErr)
		}
	})
}
