package media

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// On Linux a call's datagrams are read and sent by raw system calls on Go's
// poller (syscall.RawConn): the goroutine still parks in the poller while no
// datagram is waiting, but a read or a send does not enter the runtime's
// system-call bookkeeping. That bookkeeping wakes the runtime's monitor
// thread (sysmon) at the first system call after every processor was idle,
// and the monitor then polls a few times before it sleeps again: on a call,
// twice a frame (the packet received, the packet sent), more than half of the
// context switches of the whole engine (docs/benchmarks.md). The sockets are
// non-blocking, so no call here can block a thread.

// udpReader reads the datagrams of one socket for its one reader goroutine.
type udpReader struct {
	rc     syscall.RawConn
	recvFn func(fd uintptr) bool // r.recv, made once: a method value per read would allocate

	// the read in progress, and its result
	buf     []byte
	n       int
	errno   syscall.Errno
	from    unix.RawSockaddrAny
	fromLen uint32

	src net.UDPAddr // the last datagram's source, reused by the next read
	ip  [net.IPv6len]byte
}

func newUDPReader(c *net.UDPConn) (*udpReader, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &udpReader{rc: rc}
	r.recvFn = r.recv
	return r, nil
}

// read waits for the next datagram and reads it into buf. The source address
// it returns is valid until the next read: keep a copy.
func (r *udpReader) read(buf []byte) (int, *net.UDPAddr, error) {
	if len(buf) == 0 {
		return 0, nil, fmt.Errorf("media: read into an empty buffer")
	}
	r.buf = buf
	if err := r.rc.Read(r.recvFn); err != nil {
		return 0, nil, err
	}
	if r.errno != 0 {
		return 0, nil, os.NewSyscallError("recvfrom", r.errno)
	}
	return r.n, r.source(), nil
}

// recv is one recvfrom(2); false asks the poller to wait for the socket.
func (r *udpReader) recv(fd uintptr) bool {
	for {
		r.fromLen = uint32(unsafe.Sizeof(r.from))
		n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, fd,
			uintptr(unsafe.Pointer(&r.buf[0])), uintptr(len(r.buf)), 0,
			uintptr(unsafe.Pointer(&r.from)), uintptr(unsafe.Pointer(&r.fromLen)))
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), errno
		return true
	}
}

// source is the address of the datagram read last.
func (r *udpReader) source() *net.UDPAddr {
	switch r.from.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&r.from))
		copy(r.ip[:], sa.Addr[:])
		r.src = net.UDPAddr{IP: r.ip[:net.IPv4len], Port: networkPort(sa.Port)}
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&r.from))
		copy(r.ip[:], sa.Addr[:])
		r.src = net.UDPAddr{IP: r.ip[:], Port: networkPort(sa.Port), Zone: zoneName(sa.Scope_id)}
	default:
		r.src = net.UDPAddr{}
	}
	return &r.src
}

// udpWriter sends the datagrams of one socket for one goroutine, the media
// clock's.
type udpWriter struct {
	rc     syscall.RawConn
	v6     bool                  // the socket is AF_INET6
	sendFn func(fd uintptr) bool // w.send, made once

	// the send in progress, and its result
	buf   []byte
	to    unix.RawSockaddrInet6 // or a RawSockaddrInet4 in its first bytes
	toLen uintptr
	errno syscall.Errno
}

func newUDPWriter(c *net.UDPConn) (*udpWriter, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	local, _ := c.LocalAddr().(*net.UDPAddr)
	w := &udpWriter{rc: rc, v6: local != nil && local.IP.To4() == nil}
	w.sendFn = w.send
	return w, nil
}

// writeTo sends b to the address to.
func (w *udpWriter) writeTo(b []byte, to *net.UDPAddr) error {
	if err := w.address(to); err != nil {
		return err
	}
	w.buf = b
	if err := w.rc.Write(w.sendFn); err != nil {
		return err
	}
	if w.errno != 0 {
		return os.NewSyscallError("sendto", w.errno)
	}
	return nil
}

// address puts to in the socket's own family into w.to, as Go's WriteToUDP
// does: an IPv4 address on an IPv6 socket is v4-mapped.
func (w *udpWriter) address(to *net.UDPAddr) error {
	if to == nil {
		return fmt.Errorf("media: send to no address")
	}
	if !w.v6 {
		ip := to.IP.To4()
		if ip == nil {
			return fmt.Errorf("media: send to %s from an IPv4 socket", to)
		}
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&w.to))
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Port: networkPort16(to.Port)}
		copy(sa.Addr[:], ip)
		w.toLen = unsafe.Sizeof(*sa)
		return nil
	}
	ip := to.IP.To16()
	if ip == nil {
		return fmt.Errorf("media: send to %s: not an IP address", to)
	}
	w.to = unix.RawSockaddrInet6{Family: unix.AF_INET6, Port: networkPort16(to.Port), Scope_id: zoneIndex(to.Zone)}
	copy(w.to.Addr[:], ip)
	w.toLen = unsafe.Sizeof(w.to)
	return nil
}

// send is one sendto(2); false asks the poller to wait until the socket takes more.
func (w *udpWriter) send(fd uintptr) bool {
	var p unsafe.Pointer
	if len(w.buf) > 0 {
		p = unsafe.Pointer(&w.buf[0])
	}
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(w.buf)), 0,
			uintptr(unsafe.Pointer(&w.to)), w.toLen)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		w.errno = errno
		return true
	}
}

// networkPort reads a port in network byte order as the kernel wrote it.
func networkPort(p uint16) int {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return int(b[0])<<8 | int(b[1])
}

// networkPort16 is port in network byte order, to be stored as the kernel reads it.
func networkPort16(port int) uint16 {
	var p uint16
	b := (*[2]byte)(unsafe.Pointer(&p))
	b[0], b[1] = byte(port>>8), byte(port)
	return p
}

// zoneName is the name of the interface with index id, as Go's own reads name
// an IPv6 link-local source's zone; "" for none.
func zoneName(id uint32) string {
	if id == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(id), 10)
}

// zoneIndex is the interface index of an IPv6 zone, by name or number; 0 for none.
func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	n, _ := strconv.ParseUint(zone, 10, 32)
	return uint32(n)
}
