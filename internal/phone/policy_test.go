package phone

import (
	"testing"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// TestDecide: each policy, alone and against the others, in the order decide
// applies them.
func TestDecide(t *testing.T) {
	carol := arrival{from: "sip:carol@pbx.example.com", fromUser: "carol"}
	busyCarol := carol
	busyCarol.busy = true
	number := arrival{from: "sip:+1-555-0100@pbx.example.com;user=phone", fromUser: "+1-555-0100"}
	intercom := arrival{from: "sip:boss@pbx", fromUser: "boss", hints: []string{"Call-Info: <sip:pbx>;answer-after=3"}}
	refuse := func(code int, reason string) verdict { return verdict{outcome: refuseIt, code: code, reason: reason} }
	forward := func(to string) verdict { return verdict{outcome: forwardIt, target: to} }
	tests := []struct {
		name       string
		pol        Policies
		autoAnswer bool
		a          arrival
		want       verdict
	}{
		{"nothing set: it rings", Policies{}, false, carol, verdict{}},
		{"dnd busy", Policies{DND: true}, false, carol, refuse(486, api.RefusedDND)},
		{"dnd decline", Policies{DND: true, DNDCode: 603}, false, carol, refuse(603, api.RefusedDND)},
		{"blocked by user", Policies{BlockList: []string{"Carol"}}, false, carol, refuse(603, api.RefusedBlocked)},
		{"blocked by URI", Policies{BlockList: []string{"sip:carol@pbx.example.com"}}, false, carol, refuse(603, api.RefusedBlocked)},
		{"blocked by number, formatted otherwise", Policies{BlockList: []string{"+1 555 0100"}}, false, number, refuse(603, api.RefusedBlocked)},
		{"not on the list", Policies{BlockList: []string{"dave", "555"}}, false, carol, verdict{}},
		{"block list before dnd", Policies{DND: true, BlockList: []string{"carol"}}, false, carol, refuse(603, api.RefusedBlocked)},
		{"dnd before forward always", Policies{DND: true, ForwardAlways: "bob"}, false, carol, refuse(486, api.RefusedDND)},
		{"forward always", Policies{ForwardAlways: "bob"}, false, carol, forward("bob")},
		{"forward on busy, not busy: rings", Policies{ForwardOnBusy: "bob"}, false, carol, verdict{}},
		{"forward on busy", Policies{ForwardOnBusy: "bob"}, false, busyCarol, forward("bob")},
		{"reject when busy", Policies{RejectWhenBusy: true}, false, busyCarol, refuse(486, api.RefusedBusy)},
		{"reject when busy, not busy", Policies{RejectWhenBusy: true}, false, carol, verdict{}},
		{"forward on busy before reject when busy", Policies{RejectWhenBusy: true, ForwardOnBusy: "bob"}, false, busyCarol, forward("bob")},
		{"forward on no answer, default timeout", Policies{ForwardOnNoAnswer: "vm"}, false, carol,
			verdict{target: "vm", noAnswer: noAnswerDefault}},
		{"forward on no answer after the ring timeout", Policies{ForwardOnNoAnswer: "vm", RingTimeout: 30 * time.Second}, false, carol,
			verdict{target: "vm", noAnswer: 30 * time.Second}},
		{"ring timeout alone", Policies{RingTimeout: 20 * time.Second}, false, carol, verdict{noAnswer: 20 * time.Second}},
		{"auto-answer by setting", Policies{}, true, carol, verdict{autoAnswer: true}},
		{"auto-answer asked, not allowed", Policies{}, false, intercom, verdict{}},
		{"auto-answer asked and allowed", Policies{AutoAnswerHeaders: true}, false, intercom,
			verdict{autoAnswer: true, answerAfter: 3 * time.Second}},
		{"dnd before an intercom call", Policies{DND: true, AutoAnswerHeaders: true}, false, intercom, refuse(486, api.RefusedDND)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decide(tt.pol, tt.autoAnswer, tt.a); got != tt.want {
				t.Errorf("decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestAnswerRequested: the headers by which a caller asks to be answered at once.
func TestAnswerRequested(t *testing.T) {
	tests := []struct {
		hints []string
		after time.Duration
		asked bool
	}{
		{nil, 0, false},
		{[]string{"Call-Info: <http://pbx/photo.jpg>;purpose=icon"}, 0, false},
		{[]string{"Call-Info: <sip:pbx.example.com>;answer-after=0"}, 0, true},
		{[]string{"Call-Info: <sip:pbx>; Answer-After=5"}, 5 * time.Second, true},
		{[]string{"Call-Info: <sip:pbx>;answer-after=3600"}, maxAnswerAfter, true},
		{[]string{"Call-Info: <sip:pbx>;answer-after=-1"}, 0, false},
		{[]string{"Answer-Mode: Auto"}, 0, true},
		{[]string{"Answer-Mode: Auto;require"}, 0, true},
		{[]string{"Answer-Mode: Manual"}, 0, false},
		{[]string{"Alert-Info: <http://www.notused.com>;info=alert-autoanswer"}, 0, true},
		{[]string{"Alert-Info: Auto Answer"}, 0, true},
		{[]string{"Alert-Info: <http://pbx/ring2.wav>"}, 0, false},
	}
	for _, tt := range tests {
		after, asked := answerRequested(tt.hints)
		if after != tt.after || asked != tt.asked {
			t.Errorf("answerRequested(%q) = %v, %v; want %v, %v", tt.hints, after, asked, tt.after, tt.asked)
		}
	}
}

// TestPolicySettings: the policy fields of settings.set, checked, reported and
// kept in the saved record.
func TestPolicySettings(t *testing.T) {
	r := newRig(t, nil)
	s := r.mustDo(api.CmdSettingsSet.Name, &api.SettingsArgs{
		DND: ptr(true), DNDAction: ptr(api.DNDDecline), BlockList: ptr(" dave, +1 555 0100 ,,"),
		RejectWhenBusy: ptr(true), ForwardAlways: ptr("bob"), ForwardOnBusy: ptr("sip:desk@pbx"),
		ForwardOnNoAnswer: ptr("8000"), RingTimeout: ptr(25), AutoAnswerHeaders: ptr(true),
	}).(api.Settings)
	want := api.Settings{DND: true, DNDAction: api.DNDDecline, BlockList: "dave, +1 555 0100", RejectWhenBusy: true,
		ForwardAlways: "bob", ForwardOnBusy: "sip:desk@pbx", ForwardOnNoAnswer: "8000", RingTimeout: 25, AutoAnswerHeaders: true}
	if s.DND != want.DND || s.DNDAction != want.DNDAction || s.BlockList != want.BlockList || s.RejectWhenBusy != want.RejectWhenBusy ||
		s.ForwardAlways != want.ForwardAlways || s.ForwardOnBusy != want.ForwardOnBusy || s.ForwardOnNoAnswer != want.ForwardOnNoAnswer ||
		s.RingTimeout != want.RingTimeout || s.AutoAnswerHeaders != want.AutoAnswerHeaders {
		t.Errorf("settings %+v, want the policies %+v", s, want)
	}
	again := newRig(t, func(c *Config) { c.SavedSettings = r.p.saved })
	if s := again.mustDo(api.CmdSettingsGet.Name, nil).(api.Settings); s.DND != want.DND || s.DNDAction != want.DNDAction ||
		s.BlockList != want.BlockList || s.ForwardOnNoAnswer != want.ForwardOnNoAnswer || s.RingTimeout != want.RingTimeout ||
		s.AutoAnswerHeaders != want.AutoAnswerHeaders {
		t.Errorf("settings after a restart %+v, want the saved policies", s)
	}
	for _, bad := range []api.SettingsArgs{
		{DNDAction: ptr("ignore")},
		{RingTimeout: ptr(-1)},
		{RingTimeout: ptr(3601)},
		{ForwardAlways: ptr("bob smith")},
		{BlockList: ptr("carol\x00")},
	} {
		if _, err := r.do(api.CmdSettingsSet.Name, &bad); apiCode(err) != api.CodeInvalidArgs {
			t.Errorf("settings.set %+v: %v, want invalid_args", bad, err)
		}
	}
}
