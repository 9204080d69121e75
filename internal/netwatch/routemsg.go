package netwatch

// The routing socket of macOS (and the BSDs) sends one message per change. Every
// message starts with its length (2 bytes, host order), its version and its type;
// a route message has its flags at offset 8. The values are those of Darwin's
// <net/route.h>.
const (
	rtmAdd      = 0x1
	rtmDelete   = 0x2
	rtmChange   = 0x3
	rtmNewAddr  = 0xc
	rtmDelAddr  = 0xd
	rtmIfInfo   = 0xe
	rtfLLInfo   = 0x400   // a neighbour's link-layer entry (ARP, NDP)
	rtfWasClone = 0x20000 // a host route cloned for one peer
)

// tellsOfChange reports whether the routing messages in b include one about an
// address, an interface or a route, not only about neighbours' link-layer entries,
// which the kernel adds and removes as hosts are talked to.
func tellsOfChange(b []byte) bool {
	for len(b) >= 4 {
		size := int(b[0]) | int(b[1])<<8 // little-endian on every Mac Go builds for
		if size < 4 || size > len(b) {
			return true // cut short: take it as a change rather than miss one
		}
		switch b[3] {
		case rtmNewAddr, rtmDelAddr, rtmIfInfo:
			return true
		case rtmAdd, rtmDelete, rtmChange:
			if size >= 12 {
				flags := uint32(b[8]) | uint32(b[9])<<8 | uint32(b[10])<<16 | uint32(b[11])<<24
				if flags&(rtfLLInfo|rtfWasClone) == 0 {
					return true
				}
			}
		}
		b = b[size:]
	}
	return false
}
