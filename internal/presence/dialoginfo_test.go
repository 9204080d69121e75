package presence

import (
	"errors"
	"strings"
	"testing"
)

// kamailioDialogInfo is a document as kamailio's presence_dialoginfo sends it for a
// ringing extension.
const kamailioDialogInfo = `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:bob@example.com">
  <dialog id="abc" call-id="c1" local-tag="lt" remote-tag="rt" direction="recipient">
    <state>early</state>
    <local><identity>sip:bob@example.com</identity><target uri="sip:bob@10.0.0.2"/></local>
    <remote><identity display="Carol">sip:carol@example.com</identity></remote>
  </dialog>
</dialog-info>`

func TestParseDialogInfo(t *testing.T) {
	info, err := ParseDialogInfo([]byte(kamailioDialogInfo))
	if err != nil {
		t.Fatal(err)
	}
	want := Dialog{ID: "abc", CallID: "c1", LocalTag: "lt", RemoteTag: "rt", Direction: "recipient", State: "early", Remote: "sip:carol@example.com"}
	if info.Entity != "sip:bob@example.com" || info.Version != 3 || !info.Full || len(info.Dialogs) != 1 || info.Dialogs[0] != want {
		t.Fatalf("got %+v", info)
	}
	if lamp, d := Lamp(info.Dialogs); lamp != LampRinging || d.ID != "abc" {
		t.Fatalf("lamp %s", lamp)
	}
	held := strings.Replace(kamailioDialogInfo, `<state>early</state>`, `<state>confirmed</state>`, 1)
	held = strings.Replace(held, `<target uri="sip:bob@10.0.0.2"/>`, `<target uri="sip:bob@10.0.0.2"><param pname="+sip.rendering" pvalue="no"/></target>`, 1)
	info, err = ParseDialogInfo([]byte(held))
	if err != nil || !info.Dialogs[0].Held {
		t.Fatalf("held: %+v, %v", info, err)
	}
	if lamp, _ := Lamp(info.Dialogs); lamp != LampHold {
		t.Fatalf("lamp %s, want hold", lamp)
	}
}

func TestLamp(t *testing.T) {
	for _, tc := range []struct {
		dialogs []Dialog
		want    string
	}{
		{nil, LampIdle},
		{[]Dialog{{State: "terminated"}}, LampIdle},
		{[]Dialog{{State: "trying"}}, LampRinging},
		{[]Dialog{{State: "early"}, {State: "confirmed", Held: true}}, LampHold},
		{[]Dialog{{State: "confirmed", Held: true}, {State: "confirmed"}}, LampBusy},
	} {
		if got, _ := Lamp(tc.dialogs); got != tc.want {
			t.Errorf("Lamp(%+v) = %s, want %s", tc.dialogs, got, tc.want)
		}
	}
}

func TestParseDialogInfoRefuses(t *testing.T) {
	for _, body := range []string{
		"",
		`<dialog-info version="x"/>`,
		`<presence version="1"/>`,
		`<dialog-info version="1"><dialog id="a"><state>ringing</state></dialog></dialog-info>`,
		`<dialog-info version="1"><dialog id="a"><state>early</state></dialog>`,
		`<dialog-info version="1">` + strings.Repeat(`<dialog id="a"><state>early</state></dialog>`, 65) + `</dialog-info>`,
	} {
		if info, err := ParseDialogInfo([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseDialogInfo(%.50q) = %+v, %v; want ErrMalformed", body, info, err)
		}
	}
}

func FuzzParseDialogInfo(f *testing.F) {
	f.Add([]byte(kamailioDialogInfo))
	f.Add([]byte(`<dialog-info version="0" state="partial" entity="sip:a@b"/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := ParseDialogInfo(body)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		if len(info.Dialogs) > maxDialogs {
			t.Fatalf("%d dialogs", len(info.Dialogs))
		}
		_, _ = Lamp(info.Dialogs)
	})
}
