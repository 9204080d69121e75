// Command sipready measures how long a SIP program takes from exec to answering on its
// SIP port: it starts the command, sends an OPTIONS request over UDP every 200 µs
// until any response comes back, prints the elapsed milliseconds and the process's
// resident memory, CPU time and page faults at that moment, and ends the process. The bench
// scripts use it to time wpservice and baresip the same way.
//
// Usage: go run ./scripts/sipready -port 5099 -- command args...
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 0, "the UDP port the command's SIP listens on (127.0.0.1)")
	limit := flag.Duration("timeout", 5*time.Second, "give up after this long")
	flag.Parse()
	if *port == 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: sipready -port N -- command args...")
		os.Exit(2)
	}
	r, err := measure(*port, *limit, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "sipready:", err)
		os.Exit(1)
	}
	fmt.Printf("ready %.1f ms  rss %d KiB  cpu %d ms  faults %d\n",
		float64(r.elapsed.Microseconds())/1000, r.rssKiB, r.cpu.Milliseconds(), r.faults)
}

// measure runs args and polls 127.0.0.1:port with OPTIONS until an answer comes.
func measure(port int, limit time.Duration, args []string) (result, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return result{}, err
	}
	defer conn.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	options := optionsRequest(conn.LocalAddr().(*net.UDPAddr), to)

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	belowUs(cmd.Process.Pid)

	buf := make([]byte, 2048)
	for time.Since(start) < limit {
		_, _ = conn.WriteToUDP(options, to) // refused until the port is bound
		_ = conn.SetReadDeadline(time.Now().Add(poll))
		if n, _, err := conn.ReadFromUDP(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 ") {
			elapsed := time.Since(start)
			r := usage(cmd.Process.Pid)
			r.elapsed = elapsed
			return r, nil
		}
	}
	return result{}, errors.New("no answer within " + limit.String())
}

// poll is how often an OPTIONS goes out until one is answered: often enough that
// the wait for the next one adds little to the time measured.
const poll = 200 * time.Microsecond

// result is what one start measured.
type result struct {
	elapsed time.Duration // exec to the first answer
	rssKiB  int           // resident memory then
	cpu     time.Duration // CPU time used until then (user + system)
	faults  int           // minor page faults until then: the pages the start touched
}

// optionsRequest is an out-of-dialog OPTIONS from from to to.
func optionsRequest(from, to *net.UDPAddr) []byte {
	return []byte(fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-sipready;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:bench@%s>;tag=sipready\r\nTo: <sip:%s>\r\n"+
		"Call-ID: sipready@%s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		to, from, from, to, from))
}

// usage returns the resident memory, CPU time and minor page faults of pid.
func usage(pid int) (r result) {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				r.rssKiB, _ = strconv.Atoi(f[1])
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on
		r.faults, _ = strconv.Atoi(f[7])
		ut, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		r.cpu = time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
	}
	return r
}
