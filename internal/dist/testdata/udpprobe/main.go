// Command udpprobe reports whether a Go program can open a UDP socket where it
// runs: under wine 8, Go's UDP sockets fail (wine lacks the SIO_UDP_NETRESET ioctl
// that Go 1.23 and later set on every UDP socket).
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	c.Close()
}
