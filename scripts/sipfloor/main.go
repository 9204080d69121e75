// Command sipfloor is the floor of a Go program's start-up to a SIP answer: built with
// cgo as the engine is (the runtime then starts through the C library and its
// threads), it opens a UDP port and answers every datagram with a bare SIP response,
// and does nothing else. scripts/bench-startup.sh times it beside the engine and
// baresip: what the engine takes beyond it is its own.
//
// Usage: sipfloor PORT
package main

// #include <stdlib.h>
import "C"

import (
	"net"
	"os"
	"strconv"
)

func main() {
	port, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil {
		os.Exit(2)
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		os.Exit(1)
	}
	buf := make([]byte, 2048)
	answer := []byte("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
	for {
		_, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		_, _ = c.WriteToUDP(answer, from)
	}
}
