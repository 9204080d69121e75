//go:build !linux

package media

import "net"

// udpReader reads the datagrams of one socket for its one reader goroutine;
// outside Linux, through the net package (udpio_linux.go says why Linux
// does otherwise).
type udpReader struct{ c *net.UDPConn }

func newUDPReader(c *net.UDPConn) (*udpReader, error) { return &udpReader{c}, nil }

// read waits for the next datagram and reads it into buf.
func (r *udpReader) read(buf []byte) (int, *net.UDPAddr, error) { return r.c.ReadFromUDP(buf) }

// udpWriter sends the datagrams of one socket for one goroutine.
type udpWriter struct{ c *net.UDPConn }

func newUDPWriter(c *net.UDPConn) (*udpWriter, error) { return &udpWriter{c}, nil }

// writeTo sends b to the address to.
func (w *udpWriter) writeTo(b []byte, to *net.UDPAddr) error {
	_, err := w.c.WriteToUDP(b, to)
	return err
}
