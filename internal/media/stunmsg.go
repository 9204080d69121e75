package media

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/netip"
)

// The few parts of a STUN message (RFC 5389) a Binding exchange needs: the engine
// builds its one request and reads the answer to it, and links no STUN library.

const (
	stunHeaderSize    = 20
	stunMagicCookie   = 0x2112A442
	stunTransactionID = 12 // bytes

	stunBindingRequest = 0x0001
	stunBindingSuccess = 0x0101
	stunBindingError   = 0x0111

	stunAttrErrorCode   = 0x0009
	stunAttrXORMapped   = 0x0020
	stunAttrFingerprint = 0x8028
	stunFingerprintXOR  = 0x5354554e // "STUN"
)

// stunID is a STUN transaction ID.
type stunID = [stunTransactionID]byte

// newBindingRequest returns a Binding Request with a fresh random transaction ID and
// a FINGERPRINT, and that ID.
func newBindingRequest() ([]byte, stunID) {
	var id stunID
	rand.Read(id[:]) // never fails (crypto/rand)
	const fingerprintSize = 8
	m := make([]byte, stunHeaderSize+fingerprintSize)
	binary.BigEndian.PutUint16(m[0:], stunBindingRequest)
	binary.BigEndian.PutUint16(m[2:], fingerprintSize)
	binary.BigEndian.PutUint32(m[4:], stunMagicCookie)
	copy(m[8:], id[:])
	binary.BigEndian.PutUint16(m[20:], stunAttrFingerprint)
	binary.BigEndian.PutUint16(m[22:], 4)
	binary.BigEndian.PutUint32(m[24:], crc32.ChecksumIEEE(m[:20])^stunFingerprintXOR)
	return m, id
}

// errNoMappedAddress is an answer without a usable XOR-MAPPED-ADDRESS.
var errNoMappedAddress = errors.New("stun: answer without XOR-MAPPED-ADDRESS")

// bindingAnswer reads b as the answer to the Binding Request with id: ok is
// false when b is something else (not STUN, another transaction, malformed), to
// be dropped; otherwise the mapped address, or why there is none.
func bindingAnswer(b []byte, id stunID) (addr netip.AddrPort, ok bool, err error) {
	if len(b) < stunHeaderSize || binary.BigEndian.Uint32(b[4:]) != stunMagicCookie || stunID(b[8:20]) != id {
		return netip.AddrPort{}, false, nil
	}
	typ, size := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	if size%4 != 0 || stunHeaderSize+size > len(b) || (typ != stunBindingSuccess && typ != stunBindingError) {
		return netip.AddrPort{}, false, nil
	}
	attrs, wellFormed := stunAttributes(b[stunHeaderSize : stunHeaderSize+size])
	if !wellFormed {
		return netip.AddrPort{}, false, nil
	}
	if typ == stunBindingError {
		code, reason := stunErrorCode(attrs[stunAttrErrorCode])
		return netip.AddrPort{}, true, fmt.Errorf("stun: server refused the binding: %d %s", code, reason)
	}
	addr, err = xorMappedAddress(attrs[stunAttrXORMapped], b[4:20])
	return addr, true, err
}

// stunAttributes splits a message's attributes by type (the first of each type
// counts, as RFC 5389 §15 says); wellFormed is false when one overruns the message.
func stunAttributes(b []byte) (attrs map[uint16][]byte, wellFormed bool) {
	attrs = make(map[uint16][]byte, 4)
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, false
		}
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		padded := (n + 3) &^ 3
		if 4+padded > len(b) {
			return nil, false
		}
		if _, seen := attrs[typ]; !seen {
			attrs[typ] = b[4 : 4+n]
		}
		b = b[4+padded:]
	}
	return attrs, true
}

// xorMappedAddress decodes an XOR-MAPPED-ADDRESS value (RFC 5389 §15.2); key is the
// magic cookie followed by the transaction ID, what the address is XORed with.
func xorMappedAddress(v, key []byte) (netip.AddrPort, error) {
	const ipv4, ipv6 = 0x01, 0x02
	if len(v) < 4 || (v[1] == ipv4 && len(v) != 8) || (v[1] == ipv6 && len(v) != 20) || (v[1] != ipv4 && v[1] != ipv6) {
		return netip.AddrPort{}, errNoMappedAddress
	}
	port := binary.BigEndian.Uint16(v[2:]) ^ stunMagicCookie>>16
	ip := make([]byte, len(v)-4)
	for i := range ip {
		ip[i] = v[4+i] ^ key[i]
	}
	a, _ := netip.AddrFromSlice(ip)
	if port == 0 {
		return netip.AddrPort{}, fmt.Errorf("stun: bad XOR-MAPPED-ADDRESS %v", netip.AddrPortFrom(a, port))
	}
	return netip.AddrPortFrom(a.Unmap(), port), nil
}

// stunErrorCode decodes an ERROR-CODE value (RFC 5389 §15.6): 0 when there is none.
func stunErrorCode(v []byte) (code int, reason string) {
	if len(v) < 4 {
		return 0, ""
	}
	return int(v[2]&0x07)*100 + int(v[3]), string(v[4:])
}
