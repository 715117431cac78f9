package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

// TestHostCheckOnEveryListen: without auth the Host check holds whatever
// -listen is, a LAN address or every interface chosen with
// -insecure-listen included (there, before, it was off: a page on
// another site could rebind its name to the LAN address and read the
// viewer through any visitor's browser). The listen literal, with and
// without a port, the machine's interface addresses when listening on
// every interface, localhost and -allow-host names pass; other names and
// addresses get 421 with a one-line reason naming -allow-host. With auth
// nothing is checked (reverse proxies send their own names). The viewer
// is told the -listen address and serves on a loopback port, so the
// check runs over real HTTP.
func TestHostCheckOnEveryListen(t *testing.T) {
	dir, _ := hostileDataDir(t)
	own := ownAddr(t)
	cases := []struct {
		listen string
		pass   []string
		refuse []string
	}{
		{"192.0.2.10:8042",
			[]string{"192.0.2.10", "192.0.2.10:8042", "192.0.2.10:80", "[::ffff:192.0.2.10]:8042", "rtmon.lan", "RTMON.lan.:8042", "localhost", "127.0.0.1:8042"},
			[]string{"evil.example", "evil.example:8042", "192.0.2.10.evil.example", "192.0.2.11", "[2001:db8::5]", "rtmon.lan.evil.example"}},
		{"[2001:db8::5]:8042",
			[]string{"[2001:db8::5]:8042", "[2001:db8::5]", "[2001:DB8:0::5]", "rtmon.lan", "[::1]:8042"},
			[]string{"evil.example", "[2001:db8::6]:8042", "192.0.2.10"}},
		{"seedbox.lan:8042",
			[]string{"seedbox.lan", "SEEDBOX.LAN:8042", "rtmon.lan"},
			[]string{"evil.example", "seedbox.lan.evil.example", "192.0.2.10"}},
		{"0.0.0.0:8042",
			[]string{hostPort(own), own.String(), "0.0.0.0:8042", "rtmon.lan", "localhost:8042"},
			[]string{"evil.example", "evil.example:8042", "192.0.2.10", "[2001:db8::5]"}},
		{":8042",
			[]string{hostPort(own), "rtmon.lan"},
			[]string{"evil.example", "192.0.2.10"}},
		{"[::]:8042",
			[]string{hostPort(own), "[::]:8042", "rtmon.lan"},
			[]string{"evil.example", "[2001:db8::5]"}},
	}
	if !own.IsLoopback() {
		cases[0].refuse = append(cases[0].refuse, own.String(), hostPort(own))
	}
	for _, tc := range cases {
		t.Run(tc.listen, func(t *testing.T) {
			s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", Listen: tc.listen, AllowHosts: []string{"rtmon.lan"}})
			for _, h := range tc.pass {
				if r := get(t, s.URL, "/hosts", "Host", h); r.Code != 200 {
					t.Errorf("Host %q = %d %s, want 200", h, r.Code, r.Body)
				}
			}
			for _, h := range tc.refuse {
				r := get(t, s.URL, "/hosts", "Host", h)
				body := strings.TrimSuffix(string(r.Body), "\n")
				if r.Code != http.StatusMisdirectedRequest || !strings.Contains(body, "-allow-host") || strings.Contains(body, "\n") {
					t.Errorf("Host %q = %d %q, want 421 with one line naming -allow-host", h, r.Code, body)
				}
				checkHeaders(t, h, r)
			}
		})
	}
	t.Run("auth", func(t *testing.T) {
		ht, good := htpasswdFile(t)
		s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", Listen: "192.0.2.10:8042", Htpasswd: ht})
		for _, h := range []string{"evil.example", "viewer.example.org:443", "192.0.2.10"} {
			if r := get(t, s.URL, "/hosts", "Host", h, "Authorization", good); r.Code != 200 {
				t.Errorf("Host %q with auth = %d, want 200", h, r.Code)
			}
			if r := get(t, s.URL, "/hosts", "Host", h); r.Code != http.StatusUnauthorized {
				t.Errorf("Host %q with auth, no credentials = %d, want 401", h, r.Code)
			}
		}
	})
}

// ownAddr is an address of one of this machine's interfaces, not
// loopback when there is one: what a LAN browser would put in Host.
func ownAddr(t *testing.T) netip.Addr {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var loop netip.Addr
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, _ := netip.AddrFromSlice(n.IP)
		ip = ip.Unmap()
		switch {
		case ip.IsLoopback():
			loop = ip
		case ip.Is4() || ip.IsGlobalUnicast():
			return ip
		}
	}
	if !loop.IsValid() {
		t.Fatal("no interface address")
	}
	t.Logf("no non-loopback interface: checking with %s", loop)
	return loop
}

func hostPort(a netip.Addr) string { return netip.AddrPortFrom(a, 8042).String() }
