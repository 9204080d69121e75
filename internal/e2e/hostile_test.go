package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/wpservice/wpservice/internal/api"
)

// Hostile input over the real binary: one connection takes thousands of malformed or
// malicious messages and must answer each exactly once with a stable error code, stay
// open and keep its memory flat; and no header injection may reach the wire.

const (
	floodWarmup = 1000
	floodCount  = 10000
	floodWindow = 64 // messages in flight
	// rssGrowthLimit bounds the engine's VmRSS growth over the 10,000 messages that
	// follow the warm-up. The warm-up already sent every message shape, the biggest
	// (~60 KiB) included, so read buffers, decoder scratch space and the GC's heap
	// goal have reached their steady size; what remains is a few MiB of GC pacing
	// noise. A leak of 1 KiB per message would add ~10 MiB and fail.
	rssGrowthLimit = 8 << 20
	// idMark in a hostile message is replaced by a fresh request id.
	idMark = "@ID@"
)

// hostile is one message and the error codes the engine may answer it with.
type hostile struct {
	name  string
	raw   string
	codes []string
}

func (h hostile) hasID() bool { return strings.Contains(h.raw, idMark) }

func badRequest(name, raw string) hostile { return hostile{name, raw, []string{api.CodeBadRequest}} }
func invalidArgs(name, raw string) hostile {
	return hostile{name, raw, []string{api.CodeInvalidArgs}}
}

// argTypes maps every command to its argument struct (nil: it takes none), as the
// command registry declares it. The wrong-type messages are generated from it.
var argTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, s := range api.Specs() {
		m[s.Name] = s.Args
	}
	return m
}()

// wrongValues are JSON values of the wrong type (or out of range) for a Go type.
func wrongValues(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return []string{`1`, `true`, `{}`, `[]`, `1e999`}
	case reflect.Bool:
		return []string{`"true"`, `1`, `[]`, `{}`}
	case reflect.Int, reflect.Int64:
		return []string{`"1"`, `true`, `1.5`, `1e999`, `1180591620717411303424`, `-1180591620717411303424`, `[]`, `{}`}
	case reflect.Slice:
		return []string{`"PCMU"`, `[1]`, `[[]]`, `{}`}
	case reflect.Map:
		return []string{`[]`, `"X-A: 1"`, `{"X-A":1}`, `{"X-A":["1"]}`}
	}
	panic("wrongValues: no case for " + t.String())
}

// jsonFieldTypes lists a struct's JSON field names and types, flattening embedded structs.
func jsonFieldTypes(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			for n, ft := range jsonFieldTypes(f.Type) {
				out[n] = ft
			}
			continue
		}
		out[name] = f.Type
	}
	return out
}

// wrongTypeMessages: for every command, args that are not an object, an unknown
// field, and every wrong-type value for every field.
func wrongTypeMessages(t *testing.T) []hostile {
	var out []hostile
	for _, cmd := range api.Commands {
		typ, known := argTypes[cmd]
		if !known {
			t.Fatalf("argTypes has no entry for command %q: add its argument type", cmd)
		}
		env := `{"id":"@ID@","cmd":"` + cmd + `","args":`
		for _, v := range []string{`5`, `"x"`, `[]`, `true`, `[{}]`} {
			out = append(out, invalidArgs(cmd+" args "+v, env+v+`}`))
		}
		out = append(out, invalidArgs(cmd+" unknown field", env+`{"zzUnknown":0}}`))
		if typ == nil {
			continue
		}
		for field, ft := range jsonFieldTypes(typ) {
			for _, v := range wrongValues(ft) {
				out = append(out, invalidArgs(cmd+"."+field+"="+v, env+`{"`+field+`":`+v+`}}`))
			}
			out = append(out, invalidArgs(cmd+" "+field+" in upper case", env+`{"`+strings.ToUpper(field)+`":null}}`))
		}
	}
	return out
}

// hostileMessages is the flood: envelope abuse, nesting, duplicates, huge numbers,
// NUL and surrogates, injection attempts, and every wrong type of every command.
func hostileMessages(t *testing.T) []hostile {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	dial := func(args string) string { return `{"id":"@ID@","cmd":"call.dial","args":` + args + `}` }
	either := []string{api.CodeBadRequest, api.CodeUnknownCommand} // duplicates: last wins, or refused
	msgs := []hostile{
		// not a request object
		badRequest("empty", ``), badRequest("null", `null`), badRequest("array", `[]`),
		badRequest("number", `12`), badRequest("string", `"status"`), badRequest("bool", `true`),
		badRequest("huge number", `1e999`), badRequest("open brace", `{`), badRequest("trailing comma", `{"id":"x",}`),
		badRequest("single quotes", `{'id':'x','cmd':'status'}`), badRequest("raw NUL", "\x00"),
		badRequest("NUL after object", "{\"id\":\"x\",\"cmd\":\"status\"}\x00"),
		badRequest("raw NUL in string", "{\"id\":\"x\",\"cmd\":\"sta\x00tus\"}"),
		badRequest("two objects", `{"id":"x","cmd":"status"}{"id":"y","cmd":"status"}`),
		badRequest("BOM", "\ufeff{\"id\":\"x\",\"cmd\":\"status\"}"),
		// nesting within 64 KiB
		badRequest("10k unclosed arrays", strings.Repeat("[", 10000)),
		badRequest("10k nested arrays", deep("[", "]", 10000)),
		badRequest("10001 nested arrays in args", `{"id":"x","cmd":"status","args":`+deep("[", "]", 10001)+`}`),
		invalidArgs("9990 nested arrays in args", `{"id":"@ID@","cmd":"status","args":`+deep("[", "]", 9990)+`}`),
		invalidArgs("5000 nested objects in args", `{"id":"@ID@","cmd":"call.mute","args":`+deep(`{"a":`, "}", 5000)+`}`),
		invalidArgs("60 KB dial string", dial(`{"to":"`+strings.Repeat("1", 60000)+`"}`)),
		// the id
		badRequest("id number", `{"id":1,"cmd":"status"}`), badRequest("id huge", `{"id":1e999,"cmd":"status"}`),
		badRequest("id array", `{"id":["x"],"cmd":"status"}`), badRequest("id object", `{"id":{"a":1},"cmd":"status"}`),
		badRequest("id null", `{"id":null,"cmd":"status"}`), badRequest("id empty", `{"id":"","cmd":"status"}`),
		badRequest("id missing", `{"cmd":"status"}`), badRequest("ID upper case", `{"ID":"x","cmd":"status"}`),
		// the rest of the envelope
		badRequest("cmd missing", `{"id":"@ID@"}`), badRequest("cmd empty", `{"id":"@ID@","cmd":""}`),
		badRequest("cmd null", `{"id":"@ID@","cmd":null}`), badRequest("cmd number", `{"id":"@ID@","cmd":7}`),
		badRequest("cmd array", `{"id":"@ID@","cmd":["status"]}`), badRequest("cmd object", `{"id":"@ID@","cmd":{"name":"status"}}`),
		badRequest("unknown envelope field", `{"id":"@ID@","cmd":"status","seq":1}`),
		badRequest("empty envelope key", `{"id":"@ID@","cmd":"status","":1}`),
		{"unknown command", `{"id":"@ID@","cmd":"call.fly"}`, []string{api.CodeUnknownCommand}},
		{"command upper case", `{"id":"@ID@","cmd":"STATUS"}`, []string{api.CodeUnknownCommand}},
		{"command with space", `{"id":"@ID@","cmd":"status "}`, []string{api.CodeUnknownCommand}},
		{"command with NUL", `{"id":"@ID@","cmd":"status\u0000"}`, []string{api.CodeUnknownCommand}},
		{"command lone surrogate", `{"id":"@ID@","cmd":"\ud800"}`, []string{api.CodeUnknownCommand}},
		{"command long", `{"id":"@ID@","cmd":"` + strings.Repeat("x", 4000) + `"}`, []string{api.CodeUnknownCommand}},
		// duplicate keys: whichever the decoder keeps, the request is wrong
		{"duplicate cmd", `{"id":"@ID@","cmd":"nope","cmd":"call.fly"}`, either},
		{"duplicate id", `{"id":"@ID@","id":"@ID@","cmd":"nope"}`, either},
		invalidArgs("duplicate args key", dial(`{"to":"bob\r\nX: 1","to":"bob\nX: 1"}`)),
		invalidArgs("duplicate args", `{"id":"@ID@","cmd":"call.mute","args":{"mute":1},"args":{"mute":"x"}}`),
		// huge and odd numbers
		invalidArgs("line 1e999", `{"id":"@ID@","cmd":"line.select","args":{"line":1e999}}`),
		invalidArgs("line 2^70", `{"id":"@ID@","cmd":"line.select","args":{"line":1180591620717411303424}}`),
		invalidArgs("line -2^70", `{"id":"@ID@","cmd":"line.select","args":{"line":-1180591620717411303424}}`),
		invalidArgs("line 1e2", `{"id":"@ID@","cmd":"line.select","args":{"line":1e2}}`),
		invalidArgs("dial line negative", dial(`{"to":"sip:x@127.0.0.1","line":-1}`)),
		invalidArgs("dial line too big", dial(`{"to":"sip:x@127.0.0.1","line":99}`)),
		invalidArgs("reject code 2^70", `{"id":"@ID@","cmd":"call.reject","args":{"code":1180591620717411303424}}`),
		// empty strings, NUL, surrogates, control characters in values
		invalidArgs("dial empty", dial(`{"to":""}`)), invalidArgs("dial spaces", dial(`{"to":"   "}`)),
		invalidArgs("dial NUL", dial(`{"to":"sip:x@127.0.0.1\u0000"}`)),
		invalidArgs("dial lone surrogate", dial(`{"to":"\ud800"}`)),
		invalidArgs("header name lone surrogate", dial(`{"to":"sip:x@127.0.0.1:9","headers":{"X-\ud800":"1"}}`)),
		invalidArgs("header value lone surrogate and CR", dial(`{"to":"sip:x@127.0.0.1:9","headers":{"X-A":"\udc00\r"}}`)),
		invalidArgs("dtmf empty", `{"id":"@ID@","cmd":"call.dtmf","args":{"digits":""}}`),
		invalidArgs("dtmf NUL", `{"id":"@ID@","cmd":"call.dtmf","args":{"digits":"1\u0000"}}`),
		invalidArgs("display name NUL", `{"id":"@ID@","cmd":"account.set","args":{"displayName":"A\u0000B"}}`),
		invalidArgs("display name CRLF", `{"id":"@ID@","cmd":"account.set","args":{"displayName":"A\r\nVia: x"}}`),
		invalidArgs("display name ESC", `{"id":"@ID@","cmd":"account.set","args":{"displayName":"A\u001b[2J\ud800"}}`),
		invalidArgs("server CRLF", `{"id":"@ID@","cmd":"account.set","args":{"server":"pbx\r\nVia: x"}}`),
		invalidArgs("codecs unknown", `{"id":"@ID@","cmd":"account.set","args":{"codecs":["PCMU\u0000"]}}`),
		invalidArgs("settings negative", `{"id":"@ID@","cmd":"settings.set","args":{"rtpTimeout":-1}}`),
	}
	for _, to := range hostileTargets("127.0.0.1:9") {
		msgs = append(msgs, invalidArgs("dial to "+to, dial(`{"to":`+jsonValue(to)+`}`)))
		msgs = append(msgs, invalidArgs("chat to "+to, `{"id":"@ID@","cmd":"chat.send","args":{"to":`+jsonValue(to)+`,"text":"hi"}}`))
	}
	for _, h := range hostileHeaders() {
		msgs = append(msgs, invalidArgs("dial headers", dial(`{"to":"sip:x@127.0.0.1:9","headers":`+jsonValue(h.headers)+`}`)))
	}
	return append(msgs, wrongTypeMessages(t)...)
}

// hostileTargets are dial strings that try to smuggle headers or URI parts.
func hostileTargets(host string) []string {
	return []string{
		"bob\r\nX-Evil: 1", "sip:bob@" + host + "\r\nVia: SIP/2.0/UDP evil", "bob\nX: y", "bob\x00",
		"bob%0d%0aX-Evil:%201", "sip:bob%0D%0AVia:x@" + host, "sip:bob@" + host + ";x=%00",
		"<sip:bob@" + host + ">", "sip:bob@" + host + ">;tag=evil", `"Evil" <sip:bob@` + host + `>`,
		"bob;maddr=10.0.0.1", "bob@" + host + ";maddr=10.0.0.1", "sip:bob@" + host + "?Route=%3Csip:evil%3E",
		"bob?Subject=x", "sip:bob@" + host + "?", "sip:bob@" + host + ",sip:carol@" + host,
	}
}

// hostileHeader is a headers map that must be refused; mention is in the message.
type hostileHeader struct {
	headers map[string]string
	mention string
}

func hostileHeaders() []hostileHeader {
	many := map[string]string{}
	for i := range 17 {
		many[fmt.Sprintf("X-H%02d", i)] = "v"
	}
	one := func(name, value string) hostileHeader {
		return hostileHeader{map[string]string{name: value}, strconv.Quote(name)}
	}
	return []hostileHeader{
		one("Via", "SIP/2.0/UDP evil"), one("from", "<sip:boss@evil>"), one("t", "x"), one("Contact", "<sip:evil>"),
		one("Route", "<sip:evil;lr>"), one("CSeq", "1 BYE"), one("Content-Length", "0"), one("Max-Forwards", "0"),
		one("Authorization", "Digest x"), one("X-CRM-Id", "42\r\nVia: evil"), one("X-CRM-Id", "42\nX: y"),
		one("X-CRM-Id", "42\x00"), one("X-CRM-Id", "42\ufffd\r"), one("X-A: 1\r\nVia", "x"), one("X A", "x"),
		one("X-\ufffd", "x"), one("X-Big", strings.Repeat("v", 1025)),
		{map[string]string{"": "x"}, "empty header name"},
		{map[string]string{strings.Repeat("X", 65): "x"}, "longer than 64"},
		{many, "at most 16"},
	}
}

func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// flooder sends hostile messages over a client's connection, a window at a time,
// and checks that each gets exactly one error response with its id.
type flooder struct {
	c    *client
	got  chan response
	next int
}

func newFlooder(c *client) *flooder {
	f := &flooder{c: c, got: make(chan response, 4*floodWindow)}
	c.mu.Lock()
	c.resp[""] = f.got // responses to messages without a usable id
	c.mu.Unlock()
	return f
}

func (f *flooder) send(t *testing.T, msgs []hostile, n int) {
	t.Helper()
	pending := map[string]hostile{}
	var anonymous []hostile // in order: the connection answers in order
	for sent := 0; sent < n || len(pending)+len(anonymous) > 0; {
		for sent < n && len(pending)+len(anonymous) < floodWindow {
			h := msgs[f.next%len(msgs)]
			f.next++
			raw := h.raw
			if h.hasID() {
				id := "h" + strconv.Itoa(f.next)
				raw = strings.ReplaceAll(raw, idMark, id)
				pending[id] = h
				f.c.mu.Lock()
				f.c.resp[id] = f.got // stays registered: a second response would show
				f.c.mu.Unlock()
			} else {
				anonymous = append(anonymous, h)
			}
			if err := f.c.conn.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
				t.Fatalf("connection broke sending %q after %d messages: %v", h.name, f.next, err)
			}
			sent++
		}
		var r response
		select {
		case r = <-f.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d messages unanswered after 10 s", len(pending)+len(anonymous))
		}
		var h hostile
		if r.ID == "" {
			if len(anonymous) == 0 {
				t.Fatalf("response without id but none expected: %+v (after %d sent)", r.Error, f.next)
			}
			h, anonymous = anonymous[0], anonymous[1:]
		} else {
			var ok bool
			if h, ok = pending[r.ID]; !ok {
				t.Fatalf("unexpected or second response for id %q: %+v", r.ID, r.Error)
			}
			delete(pending, r.ID)
		}
		if r.OK || r.Error == nil || !slices.Contains(h.codes, r.Error.Code) || r.Error.Message == "" {
			t.Fatalf("%s: response ok=%v error=%+v, want one of %v", h.name, r.OK, r.Error, h.codes)
		}
	}
}

// vmRSS returns the resident set size of a process, from /proc/PID/status.
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS line %q: %v", sc.Text(), err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

func TestHostileMessagesFlood(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the memory check reads /proc/PID/status")
	}
	e := startEngine(t, engineOptions{})
	c := e.connect(t)
	var accBefore, setBefore json.RawMessage
	c.mustDo(api.CmdAccountGet.Name, nil, &accBefore)
	c.mustDo(api.CmdSettingsGet.Name, nil, &setBefore)

	msgs := hostileMessages(t)
	f := newFlooder(c)
	start := time.Now()
	f.send(t, msgs, floodWarmup)
	before := vmRSS(t, e.cmd.Process.Pid)
	f.send(t, msgs, floodCount)
	after := vmRSS(t, e.cmd.Process.Pid)
	t.Logf("%d kinds of hostile message, %d sent in %v; VmRSS %d KiB after warm-up, %d KiB after",
		len(msgs), floodWarmup+floodCount, time.Since(start).Round(time.Millisecond), before>>10, after>>10)
	if after-before > rssGrowthLimit {
		t.Errorf("VmRSS grew by %d KiB over %d hostile messages, limit %d KiB", (after-before)>>10, floodCount, rssGrowthLimit>>10)
	}

	// The same connection still works, nothing changed, nothing was started.
	var st api.Snapshot
	c.mustDo(api.CmdStatus.Name, nil, &st)
	if len(st.Lines) != 0 {
		t.Errorf("hostile messages left lines: %+v", st.Lines)
	}
	var accAfter, setAfter json.RawMessage
	c.mustDo(api.CmdAccountGet.Name, nil, &accAfter)
	c.mustDo(api.CmdSettingsGet.Name, nil, &setAfter)
	if string(accAfter) != string(accBefore) || string(setAfter) != string(setBefore) {
		t.Errorf("state changed:\naccount %s -> %s\nsettings %s -> %s", accBefore, accAfter, setBefore, setAfter)
	}
	if n := len(f.got); n != 0 {
		t.Errorf("%d extra responses", n)
	}
	for len(c.events) > 0 {
		switch ev := <-c.events; ev.Event {
		case api.EvCallState, api.EvAccount, api.EvSettings, api.EvRegState, api.EvLineSelected:
			t.Errorf("hostile messages caused %s %s", ev.Event, ev.Data)
		}
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", e.port))
	if err != nil {
		t.Fatalf("/health after the flood: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/health after the flood: %s", resp.Status)
	}
}

// sipCatcher is a UDP SIP endpoint on 127.0.0.1 that records every INVITE and
// answers it 486 Busy Here.
type sipCatcher struct {
	conn    *net.UDPConn
	mu      sync.Mutex
	invites []string
}

func newSIPCatcher(t *testing.T) *sipCatcher {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &sipCatcher{conn: conn}
	done := make(chan struct{})
	go s.serve(done)
	t.Cleanup(func() { conn.Close(); <-done })
	return s
}

func (s *sipCatcher) addr() string { return s.conn.LocalAddr().String() }

func (s *sipCatcher) serve(done chan<- struct{}) {
	defer close(done)
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg := string(buf[:n])
		if !strings.HasPrefix(msg, "INVITE ") {
			continue
		}
		s.mu.Lock()
		s.invites = append(s.invites, msg)
		s.mu.Unlock()
		s.conn.WriteToUDP([]byte(busyResponse(msg)), from)
	}
}

// busyResponse builds a 486 for an INVITE, copying the headers RFC 3261 §8.2.6.2 names.
func busyResponse(invite string) string {
	var b strings.Builder
	b.WriteString("SIP/2.0 486 Busy Here\r\n")
	for line := range strings.Lines(invite) {
		line = strings.TrimRight(line, "\r\n")
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "from", "call-id", "cseq":
			b.WriteString(line + "\r\n")
		case "to":
			b.WriteString(line + ";tag=busy\r\n")
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

func (s *sipCatcher) inviteCallIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, m := range s.invites {
		if id := headerValue(m, "Call-ID"); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// headerValue returns the first value of header name in a SIP message.
func headerValue(msg, name string) string {
	for line := range strings.Lines(msg) {
		n, v, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// expectRefused runs cmd and wants invalid_args with a message that mentions one of mentions.
func expectRefused(t *testing.T, c *client, cmd string, args any, mentions ...string) {
	t.Helper()
	r := c.do(cmd, args)
	if r.OK || r.Error == nil || r.Error.Code != api.CodeInvalidArgs ||
		!slices.ContainsFunc(mentions, func(m string) bool { return strings.Contains(r.Error.Message, m) }) {
		t.Errorf("%s %s: ok=%v error=%+v, want invalid_args mentioning %q", cmd, jsonValue(args), r.OK, r.Error, mentions)
	}
}

// Header injection through call.dial's to and headers and through account.set's
// displayName is refused with invalid_args and sends nothing; the one good dial that
// follows carries its custom header and a correctly quoted display name.
func TestHeaderInjectionIsRefused(t *testing.T) {
	e := startEngine(t, engineOptions{})
	peer := newSIPCatcher(t)
	c := e.connect(t)
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"sipTrace": true}, nil)
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"server": peer.addr(), "username": "alice", "register": false}, nil)

	for _, name := range []string{"Alice\r\nVia: SIP/2.0/UDP evil", "Alice\nContact: <sip:evil>", "Alice\rX: y",
		"Alice\x00", "Al\x1b[2Jice", "Ali\u0085ce", "Alice\r\n\r\nINVITE sip:evil SIP/2.0"} {
		expectRefused(t, c, api.CmdAccountSet.Name, map[string]any{"displayName": name}, "displayName")
	}
	const display = `Al "Q" \ <x>;y?z`
	var acc api.Account
	c.mustDo(api.CmdAccountSet.Name, map[string]any{"displayName": display}, &acc)
	if acc.DisplayName != display {
		t.Fatalf("display name %q, want %q", acc.DisplayName, display)
	}

	for _, to := range hostileTargets(peer.addr()) {
		expectRefused(t, c, api.CmdCallDial.Name, map[string]any{"to": to}, "to:", "digits:") // "," starts DTMF digits
	}
	for _, h := range hostileHeaders() {
		expectRefused(t, c, api.CmdCallDial.Name, map[string]any{"to": "bob", "headers": h.headers}, h.mention)
	}

	var res api.DialResult
	c.mustDo(api.CmdCallDial.Name, map[string]any{"to": "bob", "headers": map[string]string{"X-CRM-Id": "42"}}, &res)
	var invites []string
	var ended api.CallState
	deadline := time.After(10 * time.Second)
	for ended.State != api.CallEnded {
		select {
		case ev := <-c.events:
			switch ev.Event {
			case api.EvSIPTrace:
				var tr api.SIPTrace
				json.Unmarshal(ev.Data, &tr)
				if tr.Dir == "send" && strings.HasPrefix(tr.Message, "INVITE ") {
					invites = append(invites, tr.Message)
				}
			case api.EvCallState:
				var cs api.CallState
				json.Unmarshal(ev.Data, &cs)
				if cs.CallID != res.CallID {
					t.Fatalf("a refused dial made a call: %+v", cs)
				}
				ended = cs
			}
		case <-deadline:
			t.Fatalf("the good call did not end; INVITEs traced: %d", len(invites))
		}
	}
	if ended.Cause == nil || ended.Cause.Kind != api.CauseRejected || ended.SIPCode != 486 {
		t.Errorf("good call ended %+v, want rejected with 486", ended)
	}
	if len(invites) == 0 {
		t.Fatal("no INVITE traced for the good call")
	}
	for _, inv := range invites {
		if id := headerValue(inv, "Call-ID"); id != ended.SIPCallID {
			t.Errorf("INVITE with Call-ID %s left the engine, only %s was accepted:\n%s", id, ended.SIPCallID, inv)
		}
	}
	inv := invites[0]
	if !strings.Contains(inv, "\r\nX-CRM-Id: 42\r\n") {
		t.Errorf("INVITE lacks X-CRM-Id: 42:\n%s", inv)
	}
	if want := `From: "Al \"Q\" \\ <x>;y?z" <sip:alice@`; !strings.Contains(inv, want) {
		t.Errorf("INVITE lacks %s:\n%s", want, inv)
	}
	if ids := peer.inviteCallIDs(); len(ids) != 1 || ids[0] != ended.SIPCallID {
		t.Errorf("the peer received INVITEs for calls %q, want only %s", ids, ended.SIPCallID)
	}
}
