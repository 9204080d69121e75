package netwatch

import (
	"encoding/binary"
	"testing"
)

// routeMsg is a routing message of the given type and flags, 92 bytes long as a
// Darwin rt_msghdr is.
func routeMsg(kind byte, flags uint32) []byte {
	b := make([]byte, 92)
	binary.LittleEndian.PutUint16(b, uint16(len(b)))
	b[2], b[3] = 5, kind // RTM_VERSION, type
	binary.LittleEndian.PutUint32(b[8:], flags)
	return b
}

func TestRoutingMessagesThatTellOfAChange(t *testing.T) {
	cat := func(msgs ...[]byte) []byte {
		var b []byte
		for _, m := range msgs {
			b = append(b, m...)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"new address", routeMsg(rtmNewAddr, 0), true},
		{"address gone", routeMsg(rtmDelAddr, 0), true},
		{"interface up or down", routeMsg(rtmIfInfo, 0), true},
		{"default route added", routeMsg(rtmAdd, 0x803), true},
		{"route changed", routeMsg(rtmChange, 0x803), true},
		{"neighbour learned", routeMsg(rtmAdd, rtfLLInfo|0x5), false},
		{"cloned host route gone", routeMsg(rtmDelete, rtfWasClone|0x5), false},
		{"route lookup answered", routeMsg(0x4, 0), false}, // RTM_GET
		{"a neighbour, then an address", cat(routeMsg(rtmAdd, rtfLLInfo), routeMsg(rtmNewAddr, 0)), true},
		{"two neighbours", cat(routeMsg(rtmAdd, rtfLLInfo), routeMsg(rtmDelete, rtfLLInfo)), false},
		{"cut short", routeMsg(rtmAdd, rtfLLInfo)[:40], true},
		{"empty", nil, false},
	} {
		if got := tellsOfChange(tc.b); got != tc.want {
			t.Errorf("%s: tellsOfChange = %v, want %v", tc.name, got, tc.want)
		}
	}
}
