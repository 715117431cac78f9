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
	// Every message below quotes the URL with its password replaced:
	// they go to collectd's log and the probe's output.
	shown := redactURL(raw)
	if len(raw) > MaxURLLen {
		return Endpoint{}, fmt.Errorf("URL %s: longer than %d bytes", quote(shown), MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("URL %s: %w", quote(shown), parseCause(raw, err))
	}
	ep := Endpoint{Scheme: strings.ToLower(u.Scheme), Display: u.Redacted()}
	if u.Opaque != "" {
		// Redacted leaves an opaque URL ("admin:pw@host", no "//") as it is.
		ep.Display = redactURL(ep.Display)
	}
	switch ep.Scheme {
	case "scgi":
		if u.User != nil {
			return Endpoint{}, fmt.Errorf("URL %s: SCGI has no authentication; remove the user part", quote(ep.Display))
		}
		if u.Host == "" {
			if u.Path == "" || !filepath.IsAbs(u.Path) {
				return Endpoint{}, fmt.Errorf("URL %s: a unix socket needs an absolute path, as in scgi:///home/rt/.session/rpc.socket", quote(ep.Display))
			}
			if len(u.Path) > 107 {
				return Endpoint{}, fmt.Errorf("URL %s: socket path longer than the 107 bytes a unix socket allows", quote(ep.Display))
			}
			ep.Network, ep.Address = "unix", u.Path
			return ep, nil
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil || host == "" || port == "" {
			return Endpoint{}, fmt.Errorf("URL %s: SCGI over TCP needs host:port, as in scgi://127.0.0.1:5000", quote(ep.Display))
		}
		if u.Path != "" && u.Path != "/" {
			return Endpoint{}, fmt.Errorf("URL %s: SCGI over TCP takes no path", quote(ep.Display))
		}
		ep.Network, ep.Address = "tcp", u.Host
		return ep, nil
	case "http", "https":
		if u.Host == "" {
			return Endpoint{}, fmt.Errorf("URL %s: no host", quote(ep.Display))
		}
		// Credentials belong in Username/Password, where they stay out of
		// messages; a user part in the URL is still honoured by net/http.
		ep.Address = raw
		return ep, nil
	case "":
		return Endpoint{}, fmt.Errorf("URL %s: no scheme (want scgi://, http:// or https://)", quote(ep.Display))
	default:
		return Endpoint{}, fmt.Errorf("URL %s: unknown scheme %s (want scgi, http or https)", quote(ep.Display), quote(u.Scheme))
	}
}

// MaxURLLen bounds a URL: every message about the instance repeats it.
const MaxURLLen = 2048

// quote is %q of s cut to 120 bytes, for user text repeated in messages.
func quote(s string) string {
	return fmt.Sprintf("%q", truncate(s, 120))
}

// isLocal reports whether the endpoint is on this machine: a unix socket or
// a loopback host. Only then can rTorrent's pid be looked up in /proc.
func (ep Endpoint) isLocal() bool {
	if ep.Network == "unix" {
		return true
	}
	host := ep.Address
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ep.Network == "" { // http(s): take the host out of the URL
		u, err := url.Parse(ep.Address)
		if err != nil {
			return false
		}
		host = u.Hostname() // without port and brackets: "[::1]" is "::1"
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
