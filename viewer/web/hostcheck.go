package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/config"
)

// hostPolicy says which Host headers a viewer without auth answers. It
// defends against DNS rebinding: a page on another site can point its own
// name at the viewer's address (127.0.0.1, or a LAN address reached with
// -insecure-listen behind a firewall) and read the viewer through a
// visitor's browser; such requests carry the attacker's name in Host. An
// address literal cannot be rebound, so the viewer's own addresses are
// safe to accept, as are localhost and the names the user lists.
type hostPolicy struct {
	// open: auth is on, any Host passes (rebinding cannot supply
	// credentials, and reverse proxies send their own names).
	open bool
	// names are localhost, the -listen host when it is a name, and the
	// -allow-host names: lower case, without a trailing dot.
	names map[string]bool
	// addr is the -listen address when it is a literal (else the zero
	// Addr, which no parsed Host equals).
	addr netip.Addr
	// anyInterface: -listen is 0.0.0.0, [::] or has no host; every
	// address of the machine's interfaces passes, looked up when asked
	// (addresses come and go with DHCP and VPNs).
	anyInterface   bool
	interfaceAddrs func() ([]net.Addr, error)
}

func newHostPolicy(c *config.Config, withAuth bool) (*hostPolicy, error) {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", config.ErrBadListen, c.Listen, err)
	}
	p := &hostPolicy{open: withAuth, names: map[string]bool{"localhost": true}, interfaceAddrs: net.InterfaceAddrs}
	for _, h := range c.AllowHosts {
		p.names[normalHost(h)] = true
	}
	switch ip, err := netip.ParseAddr(host); {
	case host == "":
		p.anyInterface = true
	case err == nil:
		ip = ip.Unmap().WithZone("")
		p.addr = ip
		p.anyInterface = ip.IsUnspecified()
	default:
		p.names[normalHost(host)] = true
	}
	return p, nil
}

// normalHost drops a port, brackets, case and a trailing dot.
func normalHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// allows reports whether a request with this Host header is answered.
func (p *hostPolicy) allows(hostHeader string) bool {
	if p.open {
		return true
	}
	h := normalHost(hostHeader)
	if p.names[h] {
		return true
	}
	ip, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	ip = ip.Unmap().WithZone("")
	if ip.IsLoopback() || ip == p.addr {
		return true
	}
	return p.anyInterface && p.isInterfaceAddr(ip)
}

func (p *hostPolicy) isInterfaceAddr(ip netip.Addr) bool {
	addrs, err := p.interfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if x, ok := netip.AddrFromSlice(n.IP); ok && x.Unmap() == ip {
			return true
		}
	}
	return false
}

// checkHost answers 421 to requests whose Host the policy refuses,
// naming the flag that would accept it.
func (a *app) checkHost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host := c.Request().Host
		if a.hosts.allows(host) {
			return next(c)
		}
		name := normalHost(host)
		if len(name) > 100 {
			name = name[:100] + "…"
		}
		return echo.NewHTTPError(http.StatusMisdirectedRequest, fmt.Sprintf(
			"Host %q refused: without -htpasswd this viewer answers only its own addresses, localhost "+
				"and -allow-host names (start it with -allow-host %s to use this name)", name, name))
	}
}
