package control

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wpservice/wpservice/internal/api"
)

// spellings are pairs of spellings of one origin: the page's Origin header, and what
// the user types to approve or revoke it. The gate must find the page under either.
var spellings = []struct{ header, typed string }{
	{"http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"},
	{"http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080"},
	{"http://[::1]:8080", "HTTP://[::1]:8080"},
	{"HTTPS://CRM.Example.COM:443", "https://crm.example.com"},
	{"https://crm.example.com", "HTTPS://crm.EXAMPLE.com:443"},
	{"http://LOCALHOST:80", "http://localhost"},
}

func TestApprovalReachesThePageUnderAnySpelling(t *testing.T) {
	for _, sp := range spellings {
		t.Run(sp.header+" approved as "+sp.typed, func(t *testing.T) {
			s, _, _ := pairingServer(t, nil, nil)
			page := dialRaw(t, s, sp.header)
			expectCode(t, authAs(t, page, ""), api.CodePairingRequired)
			admin := dialWS(t, s, "")
			readWire(t, admin) // hello
			expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.approve","args":{"origin":"`+sp.typed+`"}}`))

			_ = page.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, data, err := page.ReadMessage()
			var m wire
			if err == nil {
				err = json.Unmarshal(data, &m)
			}
			if err != nil || m.Event != api.EvPaired {
				t.Fatalf("waiting page got %s (%v), want the paired event", data, err)
			}
		})
	}
}

func TestRevokeReachesThePageUnderAnySpelling(t *testing.T) {
	for _, sp := range spellings {
		t.Run(sp.header+" revoked as "+sp.typed, func(t *testing.T) {
			s, _, store := pairingServer(t, nil, nil)
			if _, err := store.Request(sp.typed); err != nil {
				t.Fatal(err)
			}
			token, err := store.Approve(sp.typed)
			if err != nil {
				t.Fatal(err)
			}
			page := dialRaw(t, s, sp.header)
			expectOK(t, authAs(t, page, token))
			readWire(t, page) // hello
			admin := dialWS(t, s, "")
			readWire(t, admin)
			expectOK(t, roundTrip(t, admin, `{"id":"1","cmd":"pair.revoke","args":{"origin":"`+sp.typed+`"}}`))
			_ = page.SetReadDeadline(time.Now().Add(2 * time.Second))
			for {
				_, _, err := page.ReadMessage()
				if err == nil {
					continue
				}
				if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
					t.Fatalf("revoked page: %v, want close 1008", err)
				}
				return
			}
		})
	}
}

// unauthenticated returns the gate's count of unauthenticated connections once it
// settles at want, or what it is after a while.
func unauthenticated(s *Server, want int) int {
	deadline := time.Now().Add(3 * time.Second)
	for {
		s.gate.mu.Lock()
		n := s.gate.unauth
		s.gate.mu.Unlock()
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Every connection from an origin that must pair takes one slot of the cap, and gives
// it back exactly once: when it is admitted, or when it ends without being admitted.
// Other connections never touch the count.
func TestUnauthenticatedSlotsAreGivenBackOnce(t *testing.T) {
	s, _, store := pairingServer(t, nil, nil)
	if _, err := store.Request(crmOrigin); err != nil {
		t.Fatal(err)
	}
	token, err := store.Approve(crmOrigin)
	if err != nil {
		t.Fatal(err)
	}

	var pages []*websocket.Conn
	for range 3 {
		pages = append(pages, dialRaw(t, s, crmOrigin))
	}
	waiting := dialRaw(t, s, otherOrigin)
	expectCode(t, authAs(t, waiting, ""), api.CodePairingRequired)
	if n := unauthenticated(s, 4); n != 4 {
		t.Fatalf("4 connections that must pair hold %d slots", n)
	}

	expectOK(t, authAs(t, pages[0], token)) // admitted: gives its slot back
	if n := unauthenticated(s, 3); n != 3 {
		t.Fatalf("after one was admitted: %d slots, want 3", n)
	}
	_ = pages[0].Close() // an admitted connection ending gives nothing back again
	_ = pages[1].Close() // one ending unauthenticated gives its slot back
	_ = waiting.Close()  // so does one waiting for the user
	if n := unauthenticated(s, 1); n != 1 {
		t.Fatalf("after three ended: %d slots, want 1", n)
	}

	for _, o := range []string{ownOrigin(s), "https://agent.example.com", ""} {
		ws := dialWS(t, s, o) // provisioned, our own page, the token: not counted
		readWire(t, ws)
		_ = ws.Close()
	}
	time.Sleep(100 * time.Millisecond)
	if n := unauthenticated(s, 1); n != 1 {
		t.Fatalf("after other connections came and went: %d slots, want 1", n)
	}
}
