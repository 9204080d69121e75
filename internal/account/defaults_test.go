package account

import (
	"reflect"
	"testing"
)

func TestNormalizeFillsTheDefaults(t *testing.T) {
	got := Account{Server: "pbx", Username: "alice"}.Normalize()
	want := Account{Server: "pbx", Username: "alice", Transport: "udp", RegisterInterval: 300, Codecs: []string{"PCMU", "PCMA"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got.Codecs[0] = "changed"
	if DefaultCodecs()[0] != "PCMU" {
		t.Error("accounts share the default codec list")
	}
}

func TestNormalizeKeepsWhatIsSet(t *testing.T) {
	a := full()
	if got := a.Normalize(); !reflect.DeepEqual(got, a) {
		t.Errorf("got %+v, want %+v", got, a)
	}
}

func TestNormalizeSpellsCodecsAndLeavesItsInputAlone(t *testing.T) {
	a := Account{Codecs: []string{"pcma", "Pcmu", "G729"}}
	got := a.Normalize()
	if want := []string{"PCMA", "PCMU", "G729"}; !reflect.DeepEqual(got.Codecs, want) {
		t.Errorf("codecs %q, want %q", got.Codecs, want)
	}
	if a.Codecs[0] != "pcma" {
		t.Error("Normalize rewrote the caller's codec list")
	}
}
