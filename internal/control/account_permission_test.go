package control

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/pairing"
)

// The account permission: a paired site may configure the phone account only when
// it asked for that by name and the user granted it; admin-only commands stay so.

const setAccount = `{"id":"acc","cmd":"account.set","args":{"server":"sip.example.com","username":"agent","password":"x"}}`

// authWanting sends auth without a token asking for perm and returns the response.
func authWanting(t *testing.T, ws *websocket.Conn, perm string) wire {
	t.Helper()
	args, _ := json.Marshal(api.AuthArgs{Permission: perm})
	return roundTrip(t, ws, `{"id":"a","cmd":"auth","args":`+string(args)+`}`)
}

// decode unmarshals raw into v or fails the test.
func decode(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

// adminConn is an admitted admin connection (the engine's own page).
func adminConn(t *testing.T, s *Server) *websocket.Conn {
	t.Helper()
	admin := dialWS(t, s, ownOrigin(s))
	readWire(t, admin) // hello
	return admin
}

// pairedPage pairs crmOrigin through the store with perm granted and returns an
// admitted connection of it and its token.
func pairedPage(t *testing.T, s *Server, store *pairing.Store, perm string) (*websocket.Conn, string) {
	t.Helper()
	if _, err := store.RequestFor(crmOrigin, perm); err != nil {
		t.Fatal(err)
	}
	token, err := store.ApproveWith(crmOrigin, perm)
	if err != nil {
		t.Fatal(err)
	}
	page := dialRaw(t, s, crmOrigin)
	expectOK(t, authAs(t, page, token))
	readWire(t, page) // hello
	return page, token
}

func TestSiteAsksForAccountWhenPairing(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	admin := adminConn(t, s)
	page := dialRaw(t, s, crmOrigin)
	r := authWanting(t, page, api.PermAccount)
	expectCode(t, r, api.CodePairingRequired)
	var req api.PairingRequest
	data, _ := json.Marshal(r.Error.Data)
	decode(t, data, &req)
	if req.Permission != api.PermAccount || req.Paired {
		t.Fatalf("pairing request %+v, want one asking for account", req)
	}
	var list api.PairingList
	decode(t, roundTrip(t, admin, `{"id":"l","cmd":"pair.list"}`).Result, &list)
	if len(list.Pending) != 1 || list.Pending[0].Permission != api.PermAccount {
		t.Fatalf("pair.list pending %+v, want the request for account", list.Pending)
	}

	expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`","permission":"account"}}`))
	var p api.Paired
	decode(t, nextEvent(t, page, api.EvPaired).Data, &p)
	if p.Permission != api.PermAccount {
		t.Fatalf("paired %+v, want permission account", p)
	}
	nextEvent(t, page, api.EvHello)
	expectOK(t, roundTrip(t, page, setAccount))
	expectOK(t, roundTrip(t, page, `{"id":"2","cmd":"call.dial","args":{"to":"100"}}`))
	// Everything else admin-only stays admin-only.
	for _, msg := range []string{
		`{"id":"3","cmd":"settings.set","args":{"autoAnswer":true}}`,
		`{"id":"4","cmd":"pair.list"}`,
		`{"id":"5","cmd":"pair.approve","args":{"origin":"` + otherOrigin + `"}}`,
		`{"id":"6","cmd":"pair.revoke","args":{"origin":"` + crmOrigin + `"}}`,
	} {
		expectCode(t, roundTrip(t, page, msg), api.CodeForbidden)
	}

	// Back with its token: the permission is the pairing's.
	again := dialRaw(t, s, crmOrigin)
	var res api.AuthResult
	decode(t, authAs(t, again, p.Token).Result, &res)
	if res.Permission != api.PermAccount {
		t.Fatalf("auth with the token: permission %q, want account", res.Permission)
	}
	decode(t, roundTrip(t, admin, `{"id":"l2","cmd":"pair.list"}`).Result, &list)
	if len(list.Paired) != 1 || list.Paired[0].Permission != api.PermAccount {
		t.Fatalf("pair.list paired %+v, want account", list.Paired)
	}
}

func TestUserGrantsCallsOnly(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	admin := adminConn(t, s)
	page := dialRaw(t, s, crmOrigin)
	expectCode(t, authWanting(t, page, api.PermAccount), api.CodePairingRequired)
	expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`"}}`))
	var p api.Paired
	decode(t, nextEvent(t, page, api.EvPaired).Data, &p)
	if p.Permission != api.PermControl {
		t.Fatalf("paired %+v, want permission control", p)
	}
	nextEvent(t, page, api.EvHello)
	m := roundTrip(t, page, setAccount)
	expectCode(t, m, api.CodeForbidden)
	if want := "account.set needs account permission; this connection has control"; m.Error.Message != want {
		t.Fatalf("forbidden message %q, want %q", m.Error.Message, want)
	}
}

func TestUserCannotGrantMoreThanAsked(t *testing.T) {
	s, _, _ := pairingServer(t, nil, nil)
	admin := adminConn(t, s)
	page := dialRaw(t, s, crmOrigin)
	expectCode(t, authAs(t, page, ""), api.CodePairingRequired)
	expectCode(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`","permission":"account"}}`), api.CodeInvalidArgs)
	expectCode(t, roundTrip(t, admin, `{"id":"2","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`","permission":"admin"}}`), api.CodeInvalidArgs)
	expectCode(t, authWanting(t, dialRaw(t, s, otherOrigin), api.PermAdmin), api.CodeInvalidArgs)
}

func TestPairedSiteAsksForAccountLater(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	admin := adminConn(t, s)
	page, token := pairedPage(t, s, store, pairing.Control)
	other := dialRaw(t, s, crmOrigin) // a second tab of the site
	expectOK(t, authAs(t, other, token))
	readWire(t, other)
	expectCode(t, roundTrip(t, page, setAccount), api.CodeForbidden)

	var req api.PairingRequest
	decode(t, roundTrip(t, page, `{"id":"1","cmd":"pair.request","args":{"permission":"account"}}`).Result, &req)
	if req.Origin != crmOrigin || req.Permission != api.PermAccount || !req.Paired || req.Expires == "" {
		t.Fatalf("pair.request result %+v", req)
	}
	var list api.PairingList
	decode(t, nextEvent(t, admin, api.EvPairChanged).Data, &list)
	if len(list.Pending) != 1 || list.Pending[0].Permission != api.PermAccount || !list.Pending[0].Paired {
		t.Fatalf("pair.changed pending %+v", list.Pending)
	}
	// Nothing is granted before the user answers.
	expectCode(t, roundTrip(t, page, setAccount), api.CodeForbidden)

	expectOK(t, roundTrip(t, admin, `{"id":"2","cmd":"pair.approve","args":{"origin":"`+crmOrigin+`","permission":"account"}}`))
	for _, ws := range []*websocket.Conn{page, other} {
		var got api.Permission
		decode(t, nextEvent(t, ws, api.EvPermission).Data, &got)
		if got.Permission != api.PermAccount || got.Asked != api.PermAccount || got.Origin != crmOrigin {
			t.Fatalf("permission event %+v", got)
		}
		expectOK(t, roundTrip(t, ws, setAccount))
	}
	// The token is the same and now admits with account.
	var res api.AuthResult
	decode(t, authAs(t, dialRaw(t, s, crmOrigin), token).Result, &res)
	if res.Permission != api.PermAccount {
		t.Fatalf("auth after approval: permission %q, want account", res.Permission)
	}
	expectCode(t, roundTrip(t, page, `{"id":"3","cmd":"pair.request","args":{"permission":"account"}}`), api.CodeInvalidState)

	// Revocation works as before: the connections are closed.
	expectOK(t, roundTrip(t, admin, `{"id":"4","cmd":"pair.revoke","args":{"origin":"`+crmOrigin+`"}}`))
	if code := expectClose(t, page); code != websocket.ClosePolicyViolation {
		t.Fatalf("revoked page: close %d, want 1008", code)
	}
}

func TestRefusedAccountKeepsCalls(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	admin := adminConn(t, s)
	page, _ := pairedPage(t, s, store, pairing.Control)
	expectOK(t, roundTrip(t, page, `{"id":"1","cmd":"pair.request","args":{"permission":"account"}}`))
	expectOK(t, roundTrip(t, admin, `{"id":"2","cmd":"pair.deny","args":{"origin":"`+crmOrigin+`"}}`))
	var got api.Permission
	decode(t, nextEvent(t, page, api.EvPermission).Data, &got)
	if got.Permission != api.PermControl || got.Asked != api.PermAccount {
		t.Fatalf("permission event after deny %+v, want control (asked account)", got)
	}
	expectCode(t, roundTrip(t, page, setAccount), api.CodeForbidden)
	expectOK(t, roundTrip(t, page, `{"id":"3","cmd":"call.dial","args":{"to":"100"}}`))
	expectCode(t, roundTrip(t, page, `{"id":"4","cmd":"pair.request","args":{"permission":"account"}}`), api.CodeRateLimited)
}

func TestWhoMayAskForMore(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	page, _ := pairedPage(t, s, store, pairing.Control)
	expectCode(t, roundTrip(t, page, `{"id":"1","cmd":"pair.request","args":{"permission":"admin"}}`), api.CodeInvalidArgs)
	expectCode(t, roundTrip(t, page, `{"id":"2","cmd":"pair.request","args":{}}`), api.CodeInvalidArgs)

	agent := dialWS(t, s, "https://agent.example.com") // provisioned control
	readWire(t, agent)
	m := roundTrip(t, agent, `{"id":"3","cmd":"pair.request","args":{"permission":"account"}}`)
	expectCode(t, m, api.CodeInvalidState)
	if !strings.Contains(m.Error.Message, "administrator") {
		t.Fatalf("provisioned origin asking: %q", m.Error.Message)
	}
	expectCode(t, roundTrip(t, agent, setAccount), api.CodeForbidden)

	wall := dialWS(t, s, "https://wallboard.example.com") // read only
	readWire(t, wall)
	expectCode(t, roundTrip(t, wall, `{"id":"4","cmd":"pair.request","args":{"permission":"account"}}`), api.CodeForbidden)

	admin := adminConn(t, s) // provisioning keeps working
	expectCode(t, roundTrip(t, admin, `{"id":"5","cmd":"pair.request","args":{"permission":"account"}}`), api.CodeInvalidState)
	expectOK(t, roundTrip(t, admin, setAccount))
}
