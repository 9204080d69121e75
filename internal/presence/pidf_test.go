package presence

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// baresipPIDF is what baresip's presence module publishes while busy.
const baresipPIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
 xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.com">
<dm:person id="p4159"><rpid:activities><rpid:busy/></rpid:activities></dm:person>
<tuple id="t4109"><status><basic>open</basic></status><contact>sip:bob@example.com</contact></tuple>
</presence>`

func TestParsePIDF(t *testing.T) {
	p, err := ParsePIDF([]byte(baresipPIDF))
	if err != nil {
		t.Fatal(err)
	}
	if p.Entity != "sip:bob@example.com" || p.Basic != "open" || !slices.Equal(p.Activities, []string{"busy"}) || p.State() != StateBusy {
		t.Fatalf("got %+v, state %s", p, p.State())
	}
	closed := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:c@d"><tuple id="a"><status><basic>closed</basic></status></tuple>` +
		`<tuple id="b"><status><basic>open</basic></status></tuple><note> Gone fishing </note></presence>`
	if p, err := ParsePIDF([]byte(closed)); err != nil || p.Basic != "open" || p.Note != "Gone fishing" || p.State() != StateAvailable {
		t.Fatalf("an open tuple among closed ones: %+v, %v", p, err)
	}
}

// TestBuildPIDFReadsBack: each status we publish reads back as the state a watcher
// should see.
func TestBuildPIDFReadsBack(t *testing.T) {
	want := map[string]string{StatusOnline: StateAvailable, StatusAway: StateAway, StatusBusy: StateSpeaking,
		StatusDND: StateDND, StatusInvisible: StateOffline, StatusOffline: StateOffline}
	for _, status := range Statuses {
		doc, err := BuildPIDF(`sip:a"<b>@x`, status)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePIDF(doc)
		if err != nil || p.Entity != `sip:a"<b>@x` || p.State() != want[status] {
			t.Errorf("%s: %+v (%s), %v; want %s", status, p, p.State(), err, want[status])
		}
	}
	if _, err := BuildPIDF("sip:a@b", "Online"); err == nil {
		t.Error("an unknown status was built")
	}
}

// TestParsePIDFUnknownBasic: a basic status RFC 3863 does not define (baresip sends
// "unknown" before its user chose one) is no status, not a malformed document.
func TestParsePIDFUnknownBasic(t *testing.T) {
	p, err := ParsePIDF([]byte(`<presence entity="sip:b@x"><tuple id="t"><status><basic>unknown</basic></status></tuple></presence>`))
	if err != nil || p.Basic != "" || p.State() != StateUnknown {
		t.Fatalf("got %+v (%s), %v", p, p.State(), err)
	}
	// a presence server aggregates an agent's publications: a closed one beside an unknown one is closed
	p, err = ParsePIDF([]byte(`<presence entity="sip:b@x"><tuple id="a"><status><basic>unknown</basic></status></tuple>` +
		`<tuple id="b"><status><basic>closed</basic></status></tuple></presence>`))
	if err != nil || p.Basic != "closed" {
		t.Fatalf("unknown and closed: %+v, %v", p, err)
	}
}

func TestParsePIDFRefuses(t *testing.T) {
	for _, body := range []string{
		"",
		"<presence><tuple></presence>",
		"<dialog-info/>",
		"<presence/><presence/>",
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><presence>&a;</presence>`,
		strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40),
	} {
		if p, err := ParsePIDF([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePIDF(%.40q) = %+v, %v; want ErrMalformed", body, p, err)
		}
	}
}

func FuzzParsePIDF(f *testing.F) {
	f.Add([]byte(baresipPIDF))
	f.Add([]byte(`<presence entity="sip:a@b"><tuple id="x"><status><basic>closed</basic></status></tuple></presence>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePIDF(body)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
		_ = p.State()
	})
}
