package sipstack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// RFC 3263 section 4: an account whose server is a domain name without a port is
// found through DNS. NAPTR records say which transports the domain serves and
// where their SRV records are; SRV records give the hosts and ports, in order of
// priority and weight; A and AAAA records their addresses. Without NAPTR records
// the SRV records of the account's transport are asked for directly, and without
// those the domain's own address, on the transport's default port.
//
// Go's resolver asks for SRV and addresses but not NAPTR; those are asked here, in
// one UDP query (golang.org/x/net/dns/dnsmessage), of the server Config.DNSServer
// names or else of the system's first name server (on Unix: /etc/resolv.conf;
// elsewhere there is none to ask, and NAPTR is skipped).

// hop is one address to send an account's requests to, over transport.
type hop struct {
	transport string // "UDP", "TCP" or "TLS"
	addr      string // "IP:port"
}

// naptrService returns the transport of a NAPTR service we use (RFC 3263 section 4.1).
func naptrService(service string) (transport string, ok bool) {
	switch service {
	case "SIP+D2U":
		return "UDP", true
	case "SIP+D2T":
		return "TCP", true
	case "SIPS+D2T":
		return "TLS", true
	}
	return "", false
}

// srvPrefix returns the SRV name prefix of a transport (RFC 3263 section 4.1).
func srvPrefix(transport string) string {
	switch transport {
	case "UDP":
		return "_sip._udp."
	case "TCP":
		return "_sip._tcp."
	case "TLS":
		return "_sips._tcp."
	}
	return ""
}

// naptr is one NAPTR record of a SIP service.
type naptr struct {
	order, pref uint16
	transport   string
	replacement string // the SRV name, with a trailing dot
}

// resolver looks up an account's server.
type resolver struct {
	server string // "IP:port" of the DNS server to ask; "": the system's
	r      *net.Resolver
}

// dnsTimeout bounds each DNS query.
const dnsTimeout = 3 * time.Second

func newResolver(server string) *resolver {
	if server == "" {
		return &resolver{r: net.DefaultResolver}
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	var d net.Dialer
	return &resolver{server: server, r: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, server)
	}}}
}

// routes are the hops of an account's domain, per transport, each list in the
// order to try, and the transports its NAPTR records offer, in their order.
type routes struct {
	hops    map[string][]hop
	offered []string
}

// resolve finds the hops of domain (RFC 3263 section 4): those of every transport
// its NAPTR records offer, and those of tp, through its SRV records or else the
// domain's own addresses.
func (r *resolver) resolve(ctx context.Context, domain, tp string) routes {
	rs := routes{hops: map[string][]hop{}}
	records, _ := r.naptr(ctx, domain)
	for _, n := range records {
		if _, done := rs.hops[n.transport]; !done {
			if rs.hops[n.transport] = r.srv(ctx, n.replacement, n.transport); len(rs.hops[n.transport]) > 0 {
				rs.offered = append(rs.offered, n.transport)
			}
		}
	}
	if len(rs.hops[tp]) == 0 {
		rs.hops[tp] = r.srv(ctx, srvPrefix(tp)+domain, tp)
	}
	if len(rs.hops[tp]) == 0 && len(rs.offered) == 0 {
		port := 5060
		if tp == "TLS" {
			port = 5061
		}
		rs.hops[tp] = r.hosts(ctx, domain, port, tp)
	}
	return rs
}

// srv returns the hops of the SRV records under name, in order.
func (r *resolver) srv(ctx context.Context, name, tp string) []hop {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	_, records, err := r.r.LookupSRV(ctx, "", "", name)
	if err != nil {
		return nil
	}
	var hops []hop
	for _, rec := range records { // sorted by priority, shuffled by weight
		hops = append(hops, r.hosts(ctx, rec.Target, int(rec.Port), tp)...)
	}
	return hops
}

// hosts returns a hop for each address of name, on port.
func (r *resolver) hosts(ctx context.Context, name string, port int, tp string) []hop {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	ips, err := r.r.LookupIPAddr(ctx, strings.TrimSuffix(name, "."))
	if err != nil {
		return nil
	}
	hops := make([]hop, 0, len(ips))
	for _, ip := range ips {
		hops = append(hops, hop{transport: tp, addr: net.JoinHostPort(ip.IP.String(), strconv.Itoa(port))})
	}
	return hops
}

// naptr returns the NAPTR records of domain for the SIP services we use, in order
// and preference (RFC 3403 section 4.1), only those that lead to SRV records ("s").
func (r *resolver) naptr(ctx context.Context, domain string) ([]naptr, error) {
	server := r.server
	if server == "" {
		if server = systemNameServer(); server == "" {
			return nil, errors.New("sipstack: no name server to ask for NAPTR records")
		}
	}
	name, err := dnsmessage.NewName(strings.TrimSuffix(domain, ".") + ".")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	answer, err := query(ctx, server, name, dnsmessage.Type(35)) // NAPTR
	if err != nil {
		return nil, err
	}
	var out []naptr
	for _, rr := range answer {
		n, ok := parseNAPTR(rr)
		if ok {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b naptr) int {
		if a.order != b.order {
			return int(a.order) - int(b.order)
		}
		return int(a.pref) - int(b.pref)
	})
	return out, nil
}

// query asks server for the records of name of type typ, over UDP, and returns
// the answer's records of that type.
func query(ctx context.Context, server string, name dnsmessage.Name, typ dnsmessage.Type) ([]dnsmessage.UnknownResource, error) {
	id := uint16(rand.Uint32())
	q := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: name, Type: typ, Class: dnsmessage.ClassINET}},
	}
	packet, err := q.Pack()
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if _, err := conn.Write(packet); err != nil {
		return nil, err
	}
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil || h.ID != id || !h.Response {
			continue // not our answer
		}
		if h.RCode != dnsmessage.RCodeSuccess {
			return nil, fmt.Errorf("sipstack: DNS answer %v", h.RCode)
		}
		if err := p.SkipAllQuestions(); err != nil {
			return nil, err
		}
		var out []dnsmessage.UnknownResource
		for {
			rh, err := p.AnswerHeader()
			if errors.Is(err, dnsmessage.ErrSectionDone) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if rh.Type != typ {
				if err := p.SkipAnswer(); err != nil {
					return nil, err
				}
				continue
			}
			rr, err := p.UnknownResource()
			if err != nil {
				return nil, err
			}
			out = append(out, rr)
		}
	}
}

// parseNAPTR reads the data of a NAPTR record (RFC 3403 section 4.1): order,
// preference, flags, service, regexp and replacement. ok is false for a record
// we do not use: another service, flags other than "s", or one that rewrites by
// regular expression.
func parseNAPTR(rr dnsmessage.UnknownResource) (n naptr, ok bool) {
	b := rr.Data
	if len(b) < 4 {
		return naptr{}, false
	}
	n.order, n.pref = uint16(b[0])<<8|uint16(b[1]), uint16(b[2])<<8|uint16(b[3])
	b = b[4:]
	var fields [3]string
	for i := range fields {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return naptr{}, false
		}
		fields[i], b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
	}
	flags, service, regexp := strings.ToLower(fields[0]), strings.ToUpper(fields[1]), fields[2]
	var labels []string
	for len(b) > 0 && b[0] != 0 {
		l := int(b[0])
		if l > 63 || len(b) < 1+l {
			return naptr{}, false // a compressed or broken name: not allowed here (RFC 3403)
		}
		labels, b = append(labels, string(b[1:1+l])), b[1+l:]
	}
	n.transport, ok = naptrService(service)
	if !ok || flags != "s" || regexp != "" || len(labels) == 0 {
		return naptr{}, false
	}
	n.replacement = strings.Join(labels, ".") + "."
	return n, true
}

// systemNameServer is the first name server of /etc/resolv.conf, "IP:53", or ""
// where there is none.
func systemNameServer() string {
	if runtime.GOOS == "windows" {
		return ""
	}
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" && net.ParseIP(f[1]) != nil {
			return net.JoinHostPort(f[1], "53")
		}
	}
	return ""
}
