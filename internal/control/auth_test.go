package control

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

const (
	crmOrigin   = "https://crm.example.com"
	otherOrigin = "https://other.example.net"
)

// pairingServer starts a server with user pairing on, a read-only, a control and an
// admin origin provisioned, and pair.changed published through the fake engine.
func pairingServer(t *testing.T, mod func(*pairing.Config), tune func(*timing)) (*Server, *fakeBackend, *pairing.Store) {
	t.Helper()
	pc := pairing.Config{Path: filepath.Join(t.TempDir(), "state", "pairings.json")}
	if mod != nil {
		mod(&pc)
	}
	store, err := pairing.Open(pc)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeBackend()
	s := startServer(t, Config{
		Token:           testToken,
		AllowedOrigins:  []string{"https://agent.example.com"},
		ReadOnlyOrigins: []string{"https://wallboard.example.com"},
		AdminOrigins:    []string{"https://admin.example.com"},
		Pairing:         store,
		Notify:          func(ev string, data any) { f.emit(ev, data) },
	}, f, tune)
	return s, f, store
}

// authAs sends auth with token and returns the response.
func authAs(t *testing.T, ws *websocket.Conn, token string) wire {
	t.Helper()
	args, _ := json.Marshal(api.AuthArgs{Token: token})
	return roundTrip(t, ws, `{"id":"a","cmd":"auth","args":`+string(args)+`}`)
}

func expectCode(t *testing.T, m wire, code string) {
	t.Helper()
	if m.OK || m.Error == nil || m.Error.Code != code {
		t.Fatalf("response %+v (error %+v), want error %s", m, m.Error, code)
	}
}

func expectOK(t *testing.T, m wire) {
	t.Helper()
	if !m.OK {
		t.Fatalf("response failed: %+v", m.Error)
	}
}

// nextEvent reads until an event named name arrives.
func nextEvent(t *testing.T, ws *websocket.Conn, name string) wire {
	t.Helper()
	for {
		if m := readWire(t, ws); m.Event == name {
			return m
		}
	}
}

func TestBrowserMustAuthenticateFirst(t *testing.T) {
	tune := func(tm *timing) { tm.authWait = 300 * time.Millisecond }
	s := startServer(t, Config{Token: testToken, AllowedOrigins: []string{crmOrigin}}, newFakeBackend(), tune)

	t.Run("silence closes 1008 and shows nothing", func(t *testing.T) {
		ws := dialRaw(t, s, crmOrigin)
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := ws.ReadMessage()
		if err == nil {
			t.Fatalf("got %s before authenticating, want nothing then close 1008", data)
		}
		if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
			t.Fatalf("read ended with %v, want close 1008", err)
		}
	})
	t.Run("another command first gets unauthorized then 1008", func(t *testing.T) {
		ws := dialRaw(t, s, crmOrigin)
		expectCode(t, roundTrip(t, ws, `{"id":"1","cmd":"status"}`), api.CodeUnauthorized)
		if code := expectClose(t, ws); code != websocket.ClosePolicyViolation {
			t.Fatalf("close %d, want 1008", code)
		}
	})
	t.Run("malformed first message gets its error then 1008", func(t *testing.T) {
		ws := dialRaw(t, s, crmOrigin)
		expectCode(t, roundTrip(t, ws, `{"id":"1"`), api.CodeBadRequest)
		if code := expectClose(t, ws); code != websocket.ClosePolicyViolation {
			t.Fatalf("close %d, want 1008", code)
		}
	})
	t.Run("auth then hello", func(t *testing.T) {
		ws := dialRaw(t, s, crmOrigin)
		r := authAs(t, ws, "")
		expectOK(t, r)
		var res api.AuthResult
		if err := json.Unmarshal(r.Result, &res); err != nil || res.Permission != api.PermControl || res.Origin != crmOrigin {
			t.Fatalf("auth result %s (%v)", r.Result, err)
		}
		if m := readWire(t, ws); m.Event != api.EvHello {
			t.Fatalf("after auth got %+v, want hello", m)
		}
		time.Sleep(2 * 300 * time.Millisecond) // past authWait: an admitted connection stays
		expectOK(t, roundTrip(t, ws, `{"id":"2","cmd":"status"}`))
	})
}

func TestPermissions(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	own := ownOrigin(s)
	cmds := []struct {
		msg  string
		need level
	}{
		{`{"id":"1","cmd":"status"}`, levelRead},
		{`{"id":"1","cmd":"account.get"}`, levelRead},
		{`{"id":"1","cmd":"events.subscribe","args":{}}`, levelRead},
		{`{"id":"1","cmd":"events.subscribe","args":{"sipTrace":true}}`, levelControl},
		{`{"id":"1","cmd":"call.dial","args":{"to":"100"}}`, levelControl},
		{`{"id":"1","cmd":"call.hangup","args":{"all":true}}`, levelControl},
		{`{"id":"1","cmd":"settings.set","args":{"rtpTimeout":10}}`, levelControl},
		{`{"id":"1","cmd":"settings.set","args":{"autoAnswer":true}}`, levelAdmin},
		{`{"id":"1","cmd":"account.set","args":{"password":"x"}}`, levelAdmin},
		{`{"id":"1","cmd":"pair.list"}`, levelAdmin},
	}
	clients := []struct {
		origin string
		have   level
	}{
		{"https://wallboard.example.com", levelRead},
		{"https://agent.example.com", levelControl},
		{"https://admin.example.com", levelAdmin},
		{own, levelAdmin},
		{"", levelAdmin}, // the token file: a program of the same user
	}
	for _, cl := range clients {
		ws := dialWS(t, s, cl.origin)
		readWire(t, ws) // hello
		for _, c := range cmds {
			m := roundTrip(t, ws, c.msg)
			if allowed := cl.have >= c.need; allowed != m.OK {
				t.Errorf("%q (%s) ran %s: ok=%v error=%+v", cl.origin, cl.have, c.msg, m.OK, m.Error)
			} else if !allowed && m.Error.Code != api.CodeForbidden {
				t.Errorf("%q ran %s: code %s, want forbidden", cl.origin, c.msg, m.Error.Code)
			}
		}
	}
}

func TestPairingApproveDeliversTokenThenHello(t *testing.T) {
	s, f, store := pairingServer(t, nil, nil)
	admin := dialWS(t, s, ownOrigin(s))
	readWire(t, admin) // hello
	control := dialWS(t, s, "https://agent.example.com")
	readWire(t, control)

	page := dialRaw(t, s, crmOrigin)
	r := authAs(t, page, "")
	expectCode(t, r, api.CodePairingRequired)
	data, _ := json.Marshal(r.Error.Data)
	var req api.PairingRequest
	if err := json.Unmarshal(data, &req); err != nil || req.Origin != crmOrigin || len(req.ID) != 32 || req.Expires == "" {
		t.Fatalf("pairing_required data %s (%v)", data, err)
	}
	// Nothing else works while waiting, and the connection stays open.
	expectCode(t, roundTrip(t, page, `{"id":"2","cmd":"status"}`), api.CodePairingRequired)
	expectCode(t, authAs(t, page, ""), api.CodePairingRequired)

	// The admin sees the request; a control connection does not.
	ev := nextEvent(t, admin, api.EvPairChanged)
	var list api.PairingList
	if err := json.Unmarshal(ev.Data, &list); err != nil || len(list.Pending) != 1 || list.Pending[0].ID != req.ID {
		t.Fatalf("pair.changed %s (%v)", ev.Data, err)
	}
	marker := f.emit(api.EvRegState, api.RegState{State: api.RegRegistered})
	if m := readWire(t, control); m.Event == api.EvPairChanged || m.Seq != marker {
		t.Fatalf("control connection got %s seq %d, want only reg.state seq %d", m.Event, m.Seq, marker)
	}

	expectOK(t, roundTrip(t, admin, `{"id":"3","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`"}}`))
	paired := readWire(t, page)
	var p api.Paired
	if err := json.Unmarshal(paired.Data, &p); paired.Event != api.EvPaired || err != nil || len(p.Token) != 64 || p.Origin != crmOrigin {
		t.Fatalf("after approval got %+v, want paired with a token", paired)
	}
	if m := readWire(t, page); m.Event != api.EvHello {
		t.Fatalf("after paired got %+v, want hello", m)
	}
	expectOK(t, roundTrip(t, page, `{"id":"4","cmd":"call.dial","args":{"to":"100"}}`))
	expectCode(t, roundTrip(t, page, `{"id":"5","cmd":"account.set","args":{"password":"x"}}`), api.CodeForbidden)

	// A new connection of that origin gets in with the token, another origin does not.
	again := dialRaw(t, s, crmOrigin)
	expectOK(t, authAs(t, again, p.Token))
	if m := readWire(t, again); m.Event != api.EvHello {
		t.Fatalf("got %+v, want hello", m)
	}
	thief := dialRaw(t, s, otherOrigin)
	expectCode(t, authAs(t, thief, p.Token), api.CodeUnauthorized)
	if err := store.Check(crmOrigin, p.Token); err != nil {
		t.Fatalf("the token stopped working after another origin tried it: %v", err)
	}
}

func TestWrongTokensAreRateLimited(t *testing.T) {
	s, _, store := pairingServer(t, func(c *pairing.Config) { c.MaxFailures = 4 }, nil)
	if _, err := store.Request(crmOrigin); err != nil {
		t.Fatal(err)
	}
	token, err := store.Approve(crmOrigin)
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for failures < 4 {
		ws := dialRaw(t, s, crmOrigin)
		for range maxAuthAttempts {
			expectCode(t, authAs(t, ws, "0000"), api.CodeUnauthorized)
			if failures++; failures == 4 {
				break
			}
		}
		if failures%maxAuthAttempts == 0 {
			if code := expectClose(t, ws); code != websocket.ClosePolicyViolation {
				t.Fatalf("close after %d wrong tokens = %d, want 1008", maxAuthAttempts, code)
			}
		}
	}
	// Now even the right token is refused for a while, and the connection closed.
	ws := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, ws, token), api.CodeRateLimited)
	if code := expectClose(t, ws); code != websocket.ClosePolicyViolation {
		t.Fatalf("close = %d, want 1008", code)
	}
}

func TestRevokeClosesLiveConnections(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	if _, err := store.Request(crmOrigin); err != nil {
		t.Fatal(err)
	}
	token, _ := store.Approve(crmOrigin)
	page := dialRaw(t, s, crmOrigin)
	expectOK(t, authAs(t, page, token))
	readWire(t, page) // hello
	bystander := dialWS(t, s, "https://agent.example.com")
	readWire(t, bystander)

	admin := dialWS(t, s, "")
	readWire(t, admin)
	expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.revoke","args":{"origin":"`+crmOrigin+`"}}`))
	if code := expectClose(t, page); code != websocket.ClosePolicyViolation {
		t.Fatalf("revoked page closed with %d, want 1008", code)
	}
	expectOK(t, roundTrip(t, bystander, `{"id":"2","cmd":"status"}`))
	ws := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, ws, token), api.CodeUnauthorized)
	expectCode(t, roundTrip(t, admin, `{"id":"3","cmd":"pair.revoke","args":{"origin":"`+crmOrigin+`"}}`), api.CodeNotFound)
}

func TestDenyClosesAndCoolsDown(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	page := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, page, ""), api.CodePairingRequired)
	admin := dialWS(t, s, "")
	readWire(t, admin)
	expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.deny","args":{"origin":"`+crmOrigin+`"}}`))
	if code := expectClose(t, page); code != websocket.ClosePolicyViolation {
		t.Fatalf("denied page closed with %d, want 1008", code)
	}
	again := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, again, ""), api.CodeRateLimited)
	if code := expectClose(t, again); code != websocket.ClosePolicyViolation {
		t.Fatalf("close = %d, want 1008", code)
	}
	expectCode(t, roundTrip(t, admin, `{"id":"2","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`"}}`), api.CodeNotFound)
	expectCode(t, roundTrip(t, admin, `{"id":"3","cmd":"pair.approve","args":{"origin":"null"}}`), api.CodeInvalidArgs)
}

func TestPairingRequestExpires(t *testing.T) {
	s, _, _ := pairingServer(t, func(c *pairing.Config) { c.PendingTTL = 400 * time.Millisecond }, nil)
	page := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, page, ""), api.CodePairingRequired)
	_ = page.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := page.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation || ce.Text != reasonExpired {
		t.Fatalf("read ended with %v, want close 1008 %q", err, reasonExpired)
	}
}

func TestPairingFloodIsCapped(t *testing.T) {
	s, _, _ := pairingServer(t, nil, func(tm *timing) { tm.authWait = time.Minute })
	// Pending requests are capped across origins.
	for i := range pairing.DefaultMaxPending + 3 {
		ws := dialRaw(t, s, "https://spam"+strconv.Itoa(i)+".example.com")
		r := authAs(t, ws, "")
		want := api.CodePairingRequired
		if i >= pairing.DefaultMaxPending {
			want = api.CodeRateLimited
		}
		expectCode(t, r, want)
	}
	// So are connections that never authenticate: the next handshake is refused.
	open := 0
	for range maxUnauthenticated + 5 {
		ws, resp, err := wsDial(s, "", http.Header{"Origin": {crmOrigin}})
		if err == nil {
			t.Cleanup(func() { _ = ws.Close() }) // reachable: a collected socket is closed, freeing its slot
			open++
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("handshake refused with %v, want 503", err)
		}
	}
	// The connections above that are still waiting count too.
	if open >= maxUnauthenticated {
		t.Fatalf("%d unauthenticated connections accepted, cap is %d", open, maxUnauthenticated)
	}
	// Provisioned clients and the token are not affected by the flood.
	ws := dialWS(t, s, "https://agent.example.com")
	if m := readWire(t, ws); m.Event != api.EvHello {
		t.Fatalf("provisioned origin during a flood got %+v", m)
	}
}

func TestPairingOffRefusesUnknownOrigins(t *testing.T) {
	s := startServer(t, Config{Token: testToken, AllowedOrigins: []string{crmOrigin}}, newFakeBackend(), nil)
	_, resp, err := wsDial(s, "", http.Header{"Origin": {otherOrigin}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown origin with pairing off: %v, want 403", err)
	}
	admin := dialWS(t, s, "")
	readWire(t, admin)
	m := roundTrip(t, admin, `{"id":"1","cmd":"pair.list"}`)
	var list api.PairingList
	if err := json.Unmarshal(m.Result, &list); err != nil || list.Enabled || len(list.Provisioned) != 1 {
		t.Fatalf("pair.list = %s (%v)", m.Result, err)
	}
	expectCode(t, roundTrip(t, admin, `{"id":"2","cmd":"pair.approve","args":{"origin":"`+otherOrigin+`"}}`), api.CodeInvalidState)
}

func TestWhichOriginsMayAskToPair(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	tests := []struct {
		origin string
		want   int
	}{
		{"https://crm.example.com", http.StatusSwitchingProtocols},
		{"https://crm.example.com:8443", http.StatusSwitchingProtocols},
		{"http://localhost:3000", http.StatusSwitchingProtocols},
		{"http://127.0.0.1:3000", http.StatusSwitchingProtocols},
		{"http://crm.example.com", http.StatusForbidden}, // anyone on its network could rewrite it
		{"null", http.StatusForbidden},
		{"file://", http.StatusForbidden},
		{"chrome-extension://abcdef", http.StatusForbidden},
		{"https://crm.example.com/path", http.StatusForbidden},
	}
	for _, tc := range tests {
		ws, resp, err := wsDial(s, "", http.Header{"Origin": {tc.origin}})
		if ws != nil {
			_ = ws.Close()
		}
		if resp == nil || resp.StatusCode != tc.want {
			t.Errorf("%s: %v, want status %d", tc.origin, err, tc.want)
		}
	}
	// A pairable origin may reach /ws only: not the page, not /health.
	resp := httpDo(t, s, "GET", "/health", "127.0.0.1:"+strconv.Itoa(s.Port()), http.Header{"Origin": {crmOrigin}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("/health from an unpaired origin: %d, want 403", resp.StatusCode)
	}
}
