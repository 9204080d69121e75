package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

func TestHelloFirstThenOrderedEvents(t *testing.T) {
	f := newFakeBackend()
	f.seq = 10
	// The engine may deliver events while Watch is still returning: the hello must
	// still come first, and an event its snapshot already reflects must not follow it.
	f.onWatch = func(f *fakeBackend, sink func(api.Event)) {
		sink(api.Event{Seq: 10, Event: api.EvRegState, Data: api.RegState{State: api.RegRegistered}})
		f.seq = 11
		sink(api.Event{Seq: 11, Event: api.EvCallState, Data: api.CallState{Line: 1, State: api.CallRinging}})
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))

	hello := readWire(t, ws)
	if hello.Event != api.EvHello || hello.Seq != 10 {
		t.Fatalf("first message = %s seq %d, want hello seq 10", hello.Event, hello.Seq)
	}
	var h api.Hello
	if err := json.Unmarshal(hello.Data, &h); err != nil || h.Protocol != api.ProtocolVersion || h.Engine != api.EngineName {
		t.Fatalf("hello data = %s (%v)", hello.Data, err)
	}
	f.onWatch = nil
	for range 50 {
		f.emit(api.EvCallState, api.CallState{Line: 1, State: api.CallActive})
	}
	for want := uint64(11); want <= 61; want++ {
		m := readWire(t, ws)
		if m.Seq != want || m.Event != api.EvCallState {
			t.Fatalf("got %s seq %d, want call.state seq %d", m.Event, m.Seq, want)
		}
	}
}

func TestEventsReachEveryConnectionInOrder(t *testing.T) {
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	clients := []*websocket.Conn{dialWS(t, s, ownOrigin(s)), dialWS(t, s, "")}
	for _, ws := range clients {
		readWire(t, ws) // hello
	}
	names := []string{api.EvCallState, api.EvRegState, api.EvCallDTMF, api.EvDevicesChanged}
	const n = 200
	go func() {
		for i := range n {
			f.emit(names[i%len(names)], map[string]int{"i": i})
		}
	}()
	for c, ws := range clients {
		for i := range n {
			m := readWire(t, ws)
			if m.Seq != uint64(i+1) || m.Event != names[i%len(names)] {
				t.Fatalf("client %d: got %s seq %d, want %s seq %d", c, m.Event, m.Seq, names[i%len(names)], i+1)
			}
		}
	}
}

func TestLaggingClientIsClosedAndEngineNeverBlocks(t *testing.T) {
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws) // hello; from here on the client reads nothing

	// Far more than the queue and the socket buffers can hold.
	payload := strings.Repeat("x", 8<<10)
	const n = 4000
	emitted := make(chan struct{})
	go func() {
		defer close(emitted)
		for range n {
			f.emit(api.EvCallState, payload)
		}
	}()
	select {
	case <-emitted:
	case <-time.After(10 * time.Second):
		t.Fatal("the engine blocked on a client that does not read")
	}

	var last uint64
	for {
		m := readWire(t, ws)
		if m.Event == api.EvLagged {
			if m.Seq <= last || m.Seq > n {
				t.Fatalf("session.lagged seq %d, want in (%d, %d]", m.Seq, last, n)
			}
			break
		}
		if m.Seq != last+1 {
			t.Fatalf("got seq %d after %d: an event was lost without session.lagged", m.Seq, last)
		}
		last = m.Seq
	}
	if last == n {
		t.Fatal("every event was delivered: the client never lagged")
	}
	if code := expectClose(t, ws); code != websocket.CloseTryAgainLater {
		t.Fatalf("close code %d, want %d", code, websocket.CloseTryAgainLater)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if w := f.watchers(); w != 0 {
		t.Fatalf("%d watchers left after Close: the lagged connection did not unsubscribe", w)
	}
	checkNoConnGoroutines(t)
}

func TestReadLimit(t *testing.T) {
	s := startServer(t, Config{Token: testToken}, newFakeBackend(), nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws)

	// Exactly the limit is a message like any other.
	envelope := `{"id":"1","cmd":"status"}`
	atLimit := envelope + strings.Repeat(" ", maxMessageSize-len(envelope))
	if m := roundTrip(t, ws, atLimit); !m.OK || m.ID != "1" {
		t.Fatalf("64 KiB message: got %+v, want ok", m)
	}
	send(t, ws, atLimit+" ")
	if code := expectClose(t, ws); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d, want %d", code, websocket.CloseMessageTooBig)
	}
}

func TestFramesThatCloseTheConnection(t *testing.T) {
	tests := []struct {
		name string
		kind int
		data []byte
		want int
	}{
		{"invalid UTF-8", websocket.TextMessage, []byte("{\"id\":\"\xff\xfe\"}"), websocket.CloseInvalidFramePayloadData},
		{"binary frame", websocket.BinaryMessage, []byte(`{"id":"1","cmd":"status"}`), websocket.CloseUnsupportedData},
	}
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := dialWS(t, s, ownOrigin(s))
			readWire(t, ws)
			if err := ws.WriteMessage(tc.kind, tc.data); err != nil {
				t.Fatal(err)
			}
			if code := expectClose(t, ws); code != tc.want {
				t.Fatalf("close code %d, want %d", code, tc.want)
			}
		})
	}
	if calls, _ := f.recorded(); len(calls) != 0 {
		t.Fatalf("the engine ran %v for frames that should have been refused", calls)
	}
}

func TestBadRequestsGetAnErrorAndKeepTheConnection(t *testing.T) {
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws)
	tests := []struct {
		msg     string
		id      string
		code    string
		message string // a substring of the error message
	}{
		{`{"id":"1","cmd":`, "", api.CodeBadRequest, "malformed JSON"},
		{`[1,2]`, "", api.CodeBadRequest, "object"},
		{`"status"`, "", api.CodeBadRequest, "object"},
		{`null`, "", api.CodeBadRequest, "object"},
		{`{"cmd":"status"}`, "", api.CodeBadRequest, "id"},
		{`{"id":7,"cmd":"status"}`, "", api.CodeBadRequest, "id must be a string"},
		{`{"id":"2"}`, "2", api.CodeBadRequest, "cmd"},
		{`{"id":"3","cmd":5}`, "3", api.CodeBadRequest, "cmd must be a string"},
		{`{"id":"4","cmd":"status","arg":{}}`, "4", api.CodeBadRequest, `"arg"`},
		{`{"id":"5","cmd":"call.fly"}`, "5", api.CodeUnknownCommand, "call.fly"},
		{`{"id":"6","cmd":"call.dial","args":{"to":5}}`, "6", api.CodeInvalidArgs, `"to"`},
		{`{"id":"7","cmd":"call.dial","args":{"to":"bob","lines":2}}`, "7", api.CodeInvalidArgs, `"lines"`},
		{`{"id":"8","cmd":"call.dtmf","args":{"line":"one","digits":"1"}}`, "8", api.CodeInvalidArgs, `"line"`},
		{`{"id":"9","cmd":"call.dial","args":[]}`, "9", api.CodeInvalidArgs, "object"},
		{`{"id":"10","cmd":"status","args":{"x":1}}`, "10", api.CodeInvalidArgs, `"x"`},
	}
	for _, tc := range tests {
		m := roundTrip(t, ws, tc.msg)
		if m.OK || m.Error == nil || m.ID != tc.id || m.Error.Code != tc.code || !strings.Contains(m.Error.Message, tc.message) {
			t.Errorf("%s: got id %q ok %v error %+v; want id %q code %s message containing %q",
				tc.msg, m.ID, m.OK, m.Error, tc.id, tc.code, tc.message)
		}
		// The connection is still usable.
		if m := roundTrip(t, ws, `{"id":"after","cmd":"status"}`); !m.OK || m.ID != "after" {
			t.Fatalf("after %s: status got %+v", tc.msg, m)
		}
	}
	calls, _ := f.recorded()
	for _, c := range calls {
		if c.Cmd != api.CmdStatus.Name {
			t.Errorf("the engine ran %s for a refused request", c.Cmd)
		}
	}
}

func TestCommandResults(t *testing.T) {
	f := newFakeBackend()
	f.do = func(_ context.Context, cmd string, args any) (any, error) {
		switch cmd {
		case api.CmdCallDial.Name:
			a := args.(*api.DialArgs)
			return api.DialResult{Line: a.Line + 1, CallID: "c-" + a.To}, nil
		case api.CmdCallAnswer.Name:
			return nil, fmt.Errorf("answering: %w", api.NewError(api.CodeNotFound, "no call on line 3"))
		case api.CmdRegister.Name:
			return nil, errors.New("sip transport exploded")
		case api.CmdStatus.Name:
			if args != nil {
				return nil, fmt.Errorf("status got args %v", args)
			}
		}
		return nil, nil
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, "")
	readWire(t, ws)
	tests := []struct {
		msg    string
		ok     bool
		result string
		code   string
	}{
		{`{"id":"1","cmd":"call.dial","args":{"to":"bob","line":1}}`, true, `{"line":2,"callId":"c-bob"}`, ""},
		{`{"id":"2","cmd":"call.answer","args":{"line":3}}`, false, "", api.CodeNotFound},
		{`{"id":"3","cmd":"register"}`, false, "", api.CodeInternal},
		{`{"id":"4","cmd":"status","args":null}`, true, `{}`, ""},
		{`{"id":"5","cmd":"status","args":{}}`, true, `{}`, ""},
	}
	for _, tc := range tests {
		m := roundTrip(t, ws, tc.msg)
		if m.OK != tc.ok || (tc.ok && string(m.Result) != tc.result) || (!tc.ok && (m.Error == nil || m.Error.Code != tc.code)) {
			t.Errorf("%s: got ok %v result %s error %+v; want ok %v result %s code %q",
				tc.msg, m.OK, m.Result, m.Error, tc.ok, tc.result, tc.code)
		}
	}
}

func TestEventCausedByCommandPrecedesItsResponse(t *testing.T) {
	f := newFakeBackend()
	f.do = func(_ context.Context, cmd string, _ any) (any, error) {
		f.emit(api.EvCallState, api.CallState{Line: 1, State: api.CallDialing})
		return api.DialResult{Line: 1, CallID: "c1"}, nil
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws)
	for i := range 20 {
		send(t, ws, fmt.Sprintf(`{"id":"%d","cmd":"call.dial","args":{"to":"bob"}}`, i))
		if m := readWire(t, ws); m.Event != api.EvCallState {
			t.Fatalf("dial %d: got %+v before the call.state event", i, m)
		}
		if m := readWire(t, ws); m.ID != fmt.Sprint(i) || !m.OK {
			t.Fatalf("dial %d: got %+v, want its response", i, m)
		}
	}
}

func TestCommandsRunInOrder(t *testing.T) {
	f := newFakeBackend()
	f.do = func(_ context.Context, cmd string, _ any) (any, error) {
		if cmd == api.CmdCallDial.Name {
			time.Sleep(time.Millisecond) // a slow dial must still finish before the dtmf starts
		}
		return nil, nil
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws)
	const pairs = 20
	for i := range pairs {
		send(t, ws, fmt.Sprintf(`{"id":"d%d","cmd":"call.dial","args":{"to":"%d"}}`, i, i))
		send(t, ws, fmt.Sprintf(`{"id":"t%d","cmd":"call.dtmf","args":{"digits":"%d"}}`, i, i%10))
	}
	for i := range pairs {
		for _, want := range []string{fmt.Sprintf("d%d", i), fmt.Sprintf("t%d", i)} {
			if m := readWire(t, ws); m.ID != want || !m.OK {
				t.Fatalf("response %+v, want ok for %s", m, want)
			}
		}
	}
	calls, overlap := f.recorded()
	if overlap {
		t.Fatal("two commands of one connection ran at the same time")
	}
	for i, c := range calls {
		switch {
		case i%2 == 0 && (c.Cmd != api.CmdCallDial.Name || c.Args.(*api.DialArgs).To != fmt.Sprint(i/2)):
			t.Fatalf("call %d = %s %+v, want call.dial to %d", i, c.Cmd, c.Args, i/2)
		case i%2 == 1 && c.Cmd != api.CmdCallDTMF.Name:
			t.Fatalf("call %d = %s, want call.dtmf", i, c.Cmd)
		}
	}
}

func TestOptInEventsOnlyForSubscribers(t *testing.T) {
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	sub, plain := dialWS(t, s, ownOrigin(s)), dialWS(t, s, ownOrigin(s))
	readWire(t, sub)
	readWire(t, plain)

	m := roundTrip(t, sub, `{"id":"s","cmd":"events.subscribe","args":{"log":true,"sipTrace":true,"levels":true}}`)
	if !m.OK || string(m.Result) != `{"log":true,"sipTrace":true,"levels":true}` {
		t.Fatalf("subscribe: %+v", m)
	}
	f.emit(api.EvLog, api.LogEvent{Message: "hello"})
	f.emit(api.EvSIPTrace, api.SIPTrace{Dir: "send"})
	f.emit(api.EvAudioLevel, api.Levels{Input: -20, Output: -30})
	f.emit(api.EvCallState, api.CallState{Line: 1})
	expectEvents(t, sub, "subscriber", []uint64{1, 2, 3, 4}, []string{api.EvLog, api.EvSIPTrace, api.EvAudioLevel, api.EvCallState})
	expectEvents(t, plain, "plain", []uint64{4}, []string{api.EvCallState})

	roundTrip(t, sub, `{"id":"u","cmd":"events.subscribe","args":{"log":false,"sipTrace":true}}`)
	f.emit(api.EvLog, api.LogEvent{Message: "again"})
	f.emit(api.EvSIPTrace, api.SIPTrace{Dir: "recv"})
	f.emit(api.EvAudioLevel, api.Levels{Input: -20, Output: -30})
	f.emit(api.EvRegState, api.RegState{State: api.RegRegistered})
	expectEvents(t, sub, "resubscribed", []uint64{6, 8}, []string{api.EvSIPTrace, api.EvRegState})
	expectEvents(t, plain, "plain", []uint64{8}, []string{api.EvRegState})

	if calls, _ := f.recorded(); len(calls) != 0 {
		t.Fatalf("events.subscribe reached the engine: %v", calls)
	}
}

func expectEvents(t *testing.T, ws *websocket.Conn, who string, seqs []uint64, names []string) {
	t.Helper()
	for i := range seqs {
		m := readWire(t, ws)
		if m.Seq != seqs[i] || m.Event != names[i] {
			t.Fatalf("%s: got %s seq %d, want %s seq %d", who, m.Event, m.Seq, names[i], seqs[i])
		}
	}
}

func TestPanicClosesOnlyThatConnection(t *testing.T) {
	f := newFakeBackend()
	f.do = func(_ context.Context, cmd string, _ any) (any, error) {
		if cmd == api.CmdRegister.Name {
			panic("engine bug")
		}
		return nil, nil
	}
	s := startServer(t, Config{Token: testToken}, f, nil)
	bystander, victim := dialWS(t, s, ownOrigin(s)), dialWS(t, s, ownOrigin(s))
	readWire(t, bystander)
	readWire(t, victim)

	send(t, victim, `{"id":"1","cmd":"register"}`)
	if code := expectClose(t, victim); code != websocket.CloseInternalServerErr {
		t.Fatalf("close code %d, want %d", code, websocket.CloseInternalServerErr)
	}
	if m := roundTrip(t, bystander, `{"id":"2","cmd":"status"}`); !m.OK {
		t.Fatalf("bystander: %+v", m)
	}
	fresh := dialWS(t, s, ownOrigin(s))
	readWire(t, fresh)
	if m := roundTrip(t, fresh, `{"id":"3","cmd":"status"}`); !m.OK {
		t.Fatalf("new connection: %+v", m)
	}
}

func TestPingAndPongTimeout(t *testing.T) {
	tune := func(tm *timing) {
		tm.pingPeriod = 100 * time.Millisecond
		tm.pongWait = time.Second
		tm.closeGrace = 200 * time.Millisecond
	}
	s := startServer(t, Config{Token: testToken}, newFakeBackend(), tune)

	// A client that answers pings stays connected well past pongWait.
	alive := dialWS(t, s, ownOrigin(s))
	pings := make(chan struct{}, 100)
	alive.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return alive.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	// A client that never answers is dropped.
	silent := dialWS(t, s, ownOrigin(s))
	silent.SetPingHandler(func(string) error { return nil })

	readWire(t, silent)
	// The live client reads all along, as a browser does, and so answers pings.
	msgs := make(chan wire, 10)
	go func() {
		defer close(msgs)
		for {
			var m wire
			if err := alive.ReadJSON(&m); err != nil {
				return
			}
			msgs <- m
		}
	}()
	if m := <-msgs; m.Event != "hello" {
		t.Fatalf("live client: first message %+v", m)
	}

	_ = silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, _, err := silent.ReadMessage(); err == nil {
		t.Fatal("silent client got a message, want the connection dropped")
	} else if isTimeout(err) {
		t.Fatal("silent client was not dropped")
	}
	if time.Since(start) < 800*time.Millisecond {
		t.Fatalf("silent client dropped after %v, before pongWait", time.Since(start))
	}

	// The live client went through the same period and is still served.
	send(t, alive, `{"id":"1","cmd":"status"}`)
	if m, ok := <-msgs; !ok || !m.OK || m.ID != "1" {
		t.Fatalf("live client: %+v (open %v)", m, ok)
	}
	if len(pings) == 0 {
		t.Fatal("the server never pinged")
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func TestCloseEndsConnections(t *testing.T) {
	f := newFakeBackend()
	s := startServer(t, Config{Token: testToken}, f, nil)
	ws := dialWS(t, s, ownOrigin(s))
	readWire(t, ws)
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	if code := expectClose(t, ws); code != websocket.CloseGoingAway {
		t.Fatalf("close code %d, want %d", code, websocket.CloseGoingAway)
	}
	_ = ws.Close()
	if err := <-done; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if w := f.watchers(); w != 0 {
		t.Fatalf("%d watchers left after Close", w)
	}
	checkNoConnGoroutines(t)
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// checkNoConnGoroutines fails when a connection pump or Serve loop outlived Close.
// Like goleak it retries briefly: a goroutine that has signalled its WaitGroup may
// still be unwinding its last frames.
func checkNoConnGoroutines(t *testing.T) {
	t.Helper()
	var leaked string
	for range 100 {
		if leaked = connGoroutine(); leaked == "" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("goroutine left after Close:\n%s", leaked)
}

func connGoroutine() string {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		frames, _, _ := strings.Cut(g, "\ncreated by ")
		if strings.Contains(frames, "control.(*conn)") || strings.Contains(frames, "control.(*Server)") {
			return g
		}
	}
	return ""
}
