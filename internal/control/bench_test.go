package control

import (
	"testing"

	"github.com/wpservice/wpservice/internal/api"
)

func BenchmarkEventEncode(b *testing.B) {
	ev := api.Event{Seq: 4711, Event: api.EvCallState, Data: api.CallState{
		Line: 1, CallID: "c-42", SIPCallID: "a84b4c76e66710@pc33.example.com",
		Direction: api.DirOutgoing, Peer: "sip:bob@pbx.example.com", PeerUser: "bob", PeerName: "Bob",
		State: api.CallActive, Codec: "PCMU", SIPCode: 200,
		StartedAt: 1763800000000, AnsweredAt: 1763800003000,
	}}
	enc := newEncoder()
	b.ReportAllocs()
	for b.Loop() {
		data, err := enc.encode(ev)
		if err != nil || len(data) == 0 {
			b.Fatalf("encode: %v", err)
		}
	}
}
