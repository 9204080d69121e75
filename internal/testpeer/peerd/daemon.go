package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/wpservice/wpservice/internal/testpeer"
)

// maxLine bounds one input line.
const maxLine = 1 << 20

// Defaults for the start line.
const (
	defaultToneHz = 700
	// sourceLength is the length of baresip's source WAV: baresip hangs up
	// when it ends, so it is longer than any test's call.
	sourceLength = 3 * time.Minute
	// registerTimeout bounds baresip's registration with kamailio.
	registerTimeout = 10 * time.Second
)

// spec is the start line: which peers to run.
type spec struct {
	Kamailio *kamailioSpec `json:"kamailio"`
	Baresip  *baresipSpec  `json:"baresip"`
}

type kamailioSpec struct {
	Auth     *bool             `json:"auth"` // digest authentication; on unless false
	Users    map[string]string `json:"users"`
	Presence bool              `json:"presence"` // a presence server too (without authentication)
}

type baresipSpec struct {
	User       string  `json:"user"`
	Password   string  `json:"password"`
	AutoAnswer bool    `json:"autoAnswer"`
	Record     *bool   `json:"record"`   // record each call's audio; on unless false
	ToneHz     float64 `json:"toneHz"`   // the tone it sends; 700 Hz if 0
	Presence   bool    `json:"presence"` // publish its presence (presence_online, presence_offline)
}

// kamailioInfo and baresipInfo are the start reply's descriptions.
type kamailioInfo struct {
	Addr string `json:"addr"` // "127.0.0.1:port", UDP and TCP
	PID  int    `json:"pid"`
}

type baresipInfo struct {
	User      string `json:"user"`
	URI       string `json:"uri"`       // its AOR: at kamailio when it registers there
	SIPAddr   string `json:"sipAddr"`   // its own SIP address, for direct calls
	SourceWAV string `json:"sourceWav"` // the tone it sends
	RecordDir string `json:"recordDir"`
	PID       int    `json:"pid"`
}

// daemon holds the peers one peerd runs. Lines are handled one at a time,
// so it needs no lock.
type daemon struct {
	tb       *tb
	kamailio *testpeer.Kamailio
	baresip  *testpeer.Baresip
	sipp     *testpeer.SIPpRun
}

// run reads the start line and then commands until quit or the end of in,
// writing one reply per line. It returns the exit code: 0 after quit or the
// end of input, 1 after a fatal error (reported as the last reply), 2 when
// the start line is unreadable. The caller runs the cleanups.
func (d *daemon) run(in *bufio.Scanner, out *json.Encoder) (code int) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatal)
			if !ok {
				panic(r)
			}
			_ = out.Encode(failure(fmt.Errorf("%s", string(f))))
			code = 1
		}
	}()
	in.Buffer(make([]byte, 64<<10), maxLine)
	if !in.Scan() {
		return 0
	}
	var s spec
	if err := strictJSON(in.Bytes(), &s); err != nil {
		_ = out.Encode(failure(fmt.Errorf("%w: start: %v", errBadLine, err)))
		return 2
	}
	_ = out.Encode(d.start(s))
	for in.Scan() {
		c, err := parseCommand(in.Bytes())
		if err != nil {
			_ = out.Encode(failure(err))
			continue
		}
		if c.Cmd == "quit" {
			_ = out.Encode(reply{"ok": true})
			return 0
		}
		_ = out.Encode(d.do(c))
	}
	if err := in.Err(); err != nil {
		d.tb.Logf("input: %v", err)
	}
	return 0
}

// start runs what s asks for; a peer that cannot start is fatal.
func (d *daemon) start(s spec) reply {
	r := reply{"ok": true}
	if k := s.Kamailio; k != nil {
		d.kamailio = testpeer.StartKamailio(d.tb, testpeer.KamailioOptions{Auth: k.Auth == nil || *k.Auth, Users: k.Users, Presence: k.Presence})
		r["kamailio"] = kamailioInfo{Addr: d.kamailio.Addr, PID: d.kamailio.PID()}
	}
	if b := s.Baresip; b != nil {
		r["baresip"] = d.startBaresip(b)
	}
	return r
}

func (d *daemon) startBaresip(b *baresipSpec) baresipInfo {
	hz := b.ToneHz
	if hz == 0 {
		hz = defaultToneHz
	}
	source := filepath.Join(d.tb.TempDir(), "baresip-source.wav")
	if err := writeTone(source, hz, sourceLength); err != nil {
		d.tb.Fatalf("baresip source: %v", err)
	}
	opts := testpeer.BaresipOptions{
		User: b.User, Password: b.Password, AutoAnswer: b.AutoAnswer,
		SourceWAV: source, Record: b.Record == nil || *b.Record, Presence: b.Presence,
	}
	if d.kamailio != nil {
		opts.Registrar = d.kamailio.Addr
	}
	d.baresip = testpeer.StartBaresip(d.tb, opts)
	if d.kamailio != nil {
		d.baresip.WaitRegistered(d.tb, registerTimeout)
	}
	return baresipInfo{
		User: b.User, URI: d.baresip.URI, SIPAddr: d.baresip.SIPAddr,
		SourceWAV: source, RecordDir: d.baresip.RecordDir, PID: d.baresip.PID(),
	}
}
