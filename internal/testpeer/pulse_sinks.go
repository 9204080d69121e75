package testpeer

import "strings"

// AddSink loads a null sink named name, described by the same name (what device
// lists show), as a sound card plugged in: it returns the module's index, which
// Unload takes, as unplugging it.
func (p *Pulse) AddSink(t TB, name string) string {
	t.Helper()
	out, err := p.pactl("load-module", "module-null-sink", "sink_name="+name, "sink_properties=device.description="+name)
	if err != nil {
		t.Fatalf("pulseaudio: add sink %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// Unload unloads the module AddSink loaded: the sink goes away, and the streams
// playing to it with it (the server runs no module that would move them).
func (p *Pulse) Unload(t TB, module string) {
	t.Helper()
	if _, err := p.pactl("unload-module", module); err != nil {
		t.Fatalf("pulseaudio: unload module %s: %v", module, err)
	}
}

// KeepAwake keeps the sink called name on a short period, as the speaker is
// (pulseClock): a stream that starts on it is heard at once. For a sink that
// stays loaded for the rest of the test.
func (p *Pulse) KeepAwake(t TB, name string) {
	t.Helper()
	for _, set := range [][]string{pulseClock(name), {"suspend-sink", name, "1"}, {"suspend-sink", name, "0"}} {
		if _, err := p.pactl(set...); err != nil {
			t.Fatalf("pulseaudio: keep %s awake: %v", name, err)
		}
	}
}
