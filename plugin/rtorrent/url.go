package rtorrent

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// Endpoint is a parsed rTorrent URL: where to connect and how.
type Endpoint struct {
	// Scheme is "scgi", "http" or "https".
	Scheme string
	// Network is "unix" or "tcp" for SCGI endpoints, empty for HTTP.
	Network string
	// Address is the socket path (unix) or host:port (tcp) for SCGI, and the
	// full URL for HTTP(S).
	Address string
	// Display is the URL as shown in messages, with any password removed.
	Display string
}

// ParseURL checks an rTorrent URL and says exactly what is wrong with it.
// Accepted forms: scgi:///abs/path/rpc.socket, scgi://host:port,
// http://host[:port]/RPC2 and https://host[:port]/RPC2.
func ParseURL(raw string) (Endpoint, error) {
	if strings.TrimSpace(raw) == "" {
		return Endpoint{}, fmt.Errorf("empty URL (want scgi:///path/rpc.socket, scgi://host:port or http(s)://host/RPC2)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("URL %q: %w", raw, err)
	}
	ep := Endpoint{Scheme: strings.ToLower(u.Scheme), Display: u.Redacted()}
	switch ep.Scheme {
	case "scgi":
		if u.User != nil {
			return Endpoint{}, fmt.Errorf("URL %q: SCGI has no authentication; remove the user part", ep.Display)
		}
		if u.Host == "" {
			if u.Path == "" || !filepath.IsAbs(u.Path) {
				return Endpoint{}, fmt.Errorf("URL %q: a unix socket needs an absolute path, as in scgi:///home/rt/.session/rpc.socket", ep.Display)
			}
			if len(u.Path) > 107 {
				return Endpoint{}, fmt.Errorf("URL %q: socket path longer than the 107 bytes a unix socket allows", ep.Display)
			}
			ep.Network, ep.Address = "unix", u.Path
			return ep, nil
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil || host == "" || port == "" {
			return Endpoint{}, fmt.Errorf("URL %q: SCGI over TCP needs host:port, as in scgi://127.0.0.1:5000", ep.Display)
		}
		if u.Path != "" && u.Path != "/" {
			return Endpoint{}, fmt.Errorf("URL %q: SCGI over TCP takes no path", ep.Display)
		}
		ep.Network, ep.Address = "tcp", u.Host
		return ep, nil
	case "http", "https":
		if u.Host == "" {
			return Endpoint{}, fmt.Errorf("URL %q: no host", ep.Display)
		}
		// Credentials belong in Username/Password, where they stay out of
		// messages; a user part in the URL is still honoured by net/http.
		ep.Address = raw
		return ep, nil
	case "":
		return Endpoint{}, fmt.Errorf("URL %q: no scheme (want scgi://, http:// or https://)", raw)
	default:
		return Endpoint{}, fmt.Errorf("URL %q: unknown scheme %q (want scgi, http or https)", ep.Display, u.Scheme)
	}
}

// isLocal reports whether the endpoint is on this machine: a unix socket or
// a loopback host. Only then can rTorrent's pid be looked up in /proc.
func (ep Endpoint) isLocal() bool {
	if ep.Network == "unix" {
		return true
	}
	host := ep.Address
	if ep.Network == "" { // http(s): take the host out of the URL
		u, err := url.Parse(ep.Address)
		if err != nil {
			return false
		}
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
