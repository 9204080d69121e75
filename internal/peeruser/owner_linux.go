package peeruser

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Owner returns the user id owning the other end of a loopback TCP connection: the
// row of /proc/net/tcp (or tcp6) whose local address is c's remote address and whose
// remote address is c's local address. found is false when there is no such row.
func Owner(c net.Conn) (uid int, found bool) {
	local, ok1 := c.LocalAddr().(*net.TCPAddr)
	remote, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return 0, false
	}
	table := "/proc/net/tcp"
	if remote.IP.To4() == nil {
		table = "/proc/net/tcp6"
	}
	f, err := os.Open(table)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return findOwner(bufio.NewScanner(f), procAddr(remote), procAddr(local))
}

// findOwner scans a /proc/net/tcp table for the socket local -> remote.
func findOwner(sc *bufio.Scanner, local, remote string) (int, bool) {
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[1] != local || f[2] != remote {
			continue
		}
		uid, err := strconv.Atoi(f[7])
		return uid, err == nil
	}
	return 0, false
}

// procAddr writes an address the way /proc/net/tcp does: each 32-bit word of the
// address in the host's byte order, in hex, then the port in hex.
func procAddr(a *net.TCPAddr) string {
	ip := a.IP.To4()
	if ip == nil {
		ip = a.IP.To16()
	}
	var b strings.Builder
	for i := 0; i < len(ip); i += 4 {
		fmt.Fprintf(&b, "%08X", binary.NativeEndian.Uint32(ip[i:i+4]))
	}
	fmt.Fprintf(&b, ":%04X", a.Port)
	return b.String()
}
