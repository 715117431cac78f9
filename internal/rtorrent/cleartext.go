package rtorrent

import (
	"fmt"
	"net/url"
)

// CleartextAuth returns a warning when the client sends HTTP basic auth
// (Username/Password, or a user part in the URL) over plain http:// to a
// host that is not a loopback address, and "" otherwise. Basic auth is
// the password in base64: anyone on the path reads it, and with it
// rTorrent's XML-RPC, which includes commands that run programs. On
// loopback the traffic never leaves the machine. The decision is made
// from the URL alone (a host name other than "localhost" counts as
// remote), once: callers say it once per instance, not every read.
func (c *Client) CleartextAuth() string {
	if c.ep.Scheme != "http" || c.ep.isLocal() {
		return ""
	}
	u, err := url.Parse(c.cfg.URL)
	if err != nil {
		return ""
	}
	if c.cfg.Username == "" && c.cfg.Password == "" && u.User == nil {
		return ""
	}
	return fmt.Sprintf("rtorrent %q (%s): the password is sent in clear text: HTTP basic auth over plain http:// to %s, "+
		"which is not a loopback address, so anyone on the path can read it and use rTorrent's XML-RPC; use https:// "+
		"(said once, at start)", c.cfg.Name, c.ep.Display, quote(u.Hostname()))
}
