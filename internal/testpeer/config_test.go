package testpeer

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteSubscribers(t *testing.T) {
	if _, err := os.Stat(kamailioVersionTable); err != nil {
		missing(t, "kamailio db_text schema", err, onCI())
	}
	db := filepath.Join(t.TempDir(), "db")
	if err := writeSubscribers(db, KamailioDomain, map[string]string{"bob": "pw", "alice": "secret"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(db, "subscriber"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("subscriber table:\n%s", data)
	}
	// ha1 = MD5("alice:127.0.0.1:secret"), as kamailio computes it.
	if want := "1:alice:127.0.0.1:secret:18af59e93bb3331aac9fe77419a6ec78:"; !strings.HasPrefix(lines[1], want) {
		t.Errorf("first row %q, want prefix %q (sorted by user, with ha1)", lines[1], want)
	}
	if !strings.HasPrefix(lines[2], "2:bob:127.0.0.1:pw:") {
		t.Errorf("second row %q", lines[2])
	}
	if _, err := os.Stat(filepath.Join(db, "version")); err != nil {
		t.Errorf("version table: %v", err)
	}
}

func TestBaresipConfigIsLoopbackOnly(t *testing.T) {
	if _, err := os.Stat(filepath.Join(baresipModules[0], "ctrl_tcp.so")); err != nil {
		missing(t, "baresip modules", err, onCI())
	}
	for _, record := range []bool{false, true} {
		cfg, err := baresipConfig(loopback, "127.0.0.1:5062", "127.0.0.1:4444", "/x/tone.wav", "/x/rec", record)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"sip_listen\t127.0.0.1:5062", "ctrl_tcp_listen\t127.0.0.1:4444",
			"net_interface\t127.0.0.1", "dns_server\t127.0.0.1:53", "audio_source\taufile,/x/tone.wav"} {
			if !strings.Contains(cfg, want+"\n") {
				t.Errorf("config lacks %q:\n%s", want, cfg)
			}
		}
		for _, bad := range []string{"0.0.0.0", "stun", "turn", "ice", "stdio"} {
			if strings.Contains(cfg, bad) {
				t.Errorf("config mentions %q:\n%s", bad, cfg)
			}
		}
		if got := strings.Contains(cfg, "sndfile.so"); got != record {
			t.Errorf("record=%v but sndfile loaded=%v", record, got)
		}
	}
}

func TestBaresipAccount(t *testing.T) {
	tests := []struct {
		opts    BaresipOptions
		wantURI string
		want    string
	}{
		{BaresipOptions{User: "bob", AutoAnswer: true}, "sip:bob@127.0.0.1:5062",
			"<sip:bob@127.0.0.1:5062>;regint=0;answermode=auto"},
		{BaresipOptions{User: "alice", Password: "pw", Registrar: "127.0.0.1:5060"}, "sip:alice@127.0.0.1:5060",
			"<sip:alice@127.0.0.1:5060;transport=udp>;regint=60;answermode=manual;auth_pass=pw"},
	}
	for _, tt := range tests {
		b := &Baresip{SIPAddr: "127.0.0.1:5062"}
		if got := b.account(tt.opts); got != tt.want || b.URI != tt.wantURI {
			t.Errorf("account(%+v) = %q, URI %q; want %q, %q", tt.opts, got, b.URI, tt.want, tt.wantURI)
		}
	}
}

func TestReadableLog(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\nb\n", "a\nb"},
		{"\r[0:00:01] audio=0/0\r[0:00:02] audio=1/1\raudio: send DTMF '1'\nnext", "audio: send DTMF '1'\nnext"},
		{"\x1b[31mctrl_tcp: error\x1b[;m\n", "ctrl_tcp: error"},
		{"\n\n  \nonly\n", "only"},
		{"status only\r", ""},
	}
	for _, tt := range tests {
		if got := readableLog(tt.in); got != tt.want {
			t.Errorf("readableLog(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := lastLines("1\n2\n3", 2); got != "2\n3" {
		t.Errorf("lastLines = %q", got)
	}
}

func TestScenarioFlag(t *testing.T) {
	tests := map[string]string{
		"uac": "-sn", "uac_pcap": "-sn", "uac_rr.xml": "-sf", "/tmp/x/scenario": "-sf",
	}
	for scenario, want := range tests {
		if got := scenarioFlag(scenario); got != want {
			t.Errorf("scenarioFlag(%q) = %q, want %q", scenario, got, want)
		}
	}
}

func TestShippedScenariosFollowRecordRoute(t *testing.T) {
	for _, name := range []string{ScenarioUACRR, ScenarioUACPcapDTMF} {
		data, err := os.ReadFile(ScenarioPath(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			Recv []struct {
				Response string `xml:"response,attr"`
				RRS      string `xml:"rrs,attr"`
			} `xml:"recv"`
			Send []string `xml:"send"`
		}
		d := xml.NewDecoder(strings.NewReader(string(data)))
		d.Strict = false // the DOCTYPE names sipp.dtd, which is not at hand
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) {
			return r, nil // declared ISO-8859-1, but the files are ASCII
		}
		if err := d.Decode(&sc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rrs := false
		for _, r := range sc.Recv {
			rrs = rrs || (r.Response == "200" && r.RRS == "true")
		}
		if !rrs {
			t.Errorf("%s: the 200 OK recv does not keep the route set", name)
		}
		inDialog := 0
		for _, s := range sc.Send {
			s = strings.TrimSpace(s)
			if strings.HasPrefix(s, "ACK ") || strings.HasPrefix(s, "BYE ") {
				inDialog++
				if !strings.HasPrefix(s[4:], "[next_url] SIP/2.0\n") || !strings.Contains(s, "\n      [routes]\n") {
					t.Errorf("%s: in-dialog request ignores the route set:\n%s", name, s)
				}
			}
		}
		if inDialog != 2 {
			t.Errorf("%s: %d ACK/BYE requests, want 2", name, inDialog)
		}
	}
	data, _ := os.ReadFile(ScenarioPath(t, ScenarioUACPcapDTMF))
	for _, pcap := range []string{"g711a", "dtmf_2833_1", "dtmf_2833_2", "dtmf_2833_3"} {
		if !strings.Contains(string(data), `play_pcap_audio="pcap/`+pcap+`.pcap"`) {
			t.Errorf("%s does not play %s", ScenarioUACPcapDTMF, pcap)
		}
	}
}

// Codec modules load before G.711, which baresip then prefers them to, and
// G711Off leaves G.711 out.
func TestBaresipConfigCodecs(t *testing.T) {
	if _, err := os.Stat(filepath.Join(baresipModules[0], "ctrl_tcp.so")); err != nil {
		missing(t, "baresip modules", err, onCI())
	}
	cfg, err := baresipConfig(loopback, "127.0.0.1:5062", "127.0.0.1:4444", "/x/tone.wav", "/x/rec", false)
	if err != nil {
		t.Fatal(err)
	}
	with := withCodecs(cfg, []string{"g722", "opus"}, false)
	if i, j, k := strings.Index(with, "module\tg722.so\n"), strings.Index(with, "module\topus.so\n"), strings.Index(with, "module\tg711.so\n"); i < 0 || j < i || k < j {
		t.Errorf("modules out of order:\n%s", with)
	}
	if off := withCodecs(cfg, []string{"opus"}, true); strings.Contains(off, "g711.so") || !strings.Contains(off, "module\topus.so\n") {
		t.Errorf("G711Off:\n%s", off)
	}
}
