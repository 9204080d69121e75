package media

import (
	"bytes"
	"errors"
	"net"
	"testing"
)

// TestUDPReaderWriterCarryDatagrams: a datagram sent by udpWriter arrives whole,
// and udpReader reads it with its source address, on IPv4 and on IPv6, also
// when the reader waits for it first.
func TestUDPReaderWriterCarryDatagrams(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "::1"} {
		t.Run(ip, func(t *testing.T) {
			a, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
			if err != nil {
				t.Skipf("no %s here: %v", ip, err)
			}
			defer a.Close()
			b, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			w, err := newUDPWriter(a)
			if err != nil {
				t.Fatal(err)
			}
			r, err := newUDPReader(b)
			if err != nil {
				t.Fatal(err)
			}
			type read struct {
				data []byte
				src  net.UDPAddr
				err  error
			}
			got := make(chan read, 1)
			buf := make([]byte, maxPacket)
			for i, msg := range [][]byte{[]byte("first, read after a wait"), bytes.Repeat([]byte{0x80}, 172)} {
				go func() {
					n, src, err := r.read(buf)
					var rd read
					if rd.err = err; err == nil {
						rd.data, rd.src = append([]byte(nil), buf[:n]...), *src
					}
					got <- rd
				}()
				if err := w.writeTo(msg, b.LocalAddr().(*net.UDPAddr)); err != nil {
					t.Fatalf("datagram %d: %v", i, err)
				}
				rd := <-got
				if rd.err != nil {
					t.Fatalf("datagram %d: %v", i, rd.err)
				}
				if !bytes.Equal(rd.data, msg) {
					t.Errorf("datagram %d: read %q, sent %q", i, rd.data, msg)
				}
				if from := a.LocalAddr().(*net.UDPAddr); !sameAddr(&rd.src, from) {
					t.Errorf("datagram %d: from %v, sent from %v", i, &rd.src, from)
				}
			}
		})
	}
}

// TestUDPReaderEndsOnClose: a read waiting for a datagram returns net.ErrClosed
// when the socket closes, as the receive goroutine expects.
func TestUDPReaderEndsOnClose(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newUDPReader(c)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := r.read(make([]byte, maxPacket))
		done <- err
	}()
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: %v, want net.ErrClosed", err)
	}
	w, err := newUDPWriter(c)
	if err == nil {
		err = w.writeTo([]byte{1}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
	}
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("send after close: %v, want net.ErrClosed", err)
	}
}

// TestUDPWriterRefusesAnIPv6PeerOnAnIPv4Socket, as net.UDPConn.WriteToUDP does.
func TestUDPWriterRefusesAnIPv6PeerOnAnIPv4Socket(t *testing.T) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := newUDPWriter(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.writeTo([]byte{1}, &net.UDPAddr{IP: net.ParseIP("::1"), Port: 9}); err == nil {
		t.Error("sent to an IPv6 address from an IPv4 socket")
	}
}
