package rtorrent

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw, network, address, wantErr string
		local                          bool
	}{
		{raw: "scgi:///home/rt/.session/rpc.socket", network: "unix", address: "/home/rt/.session/rpc.socket", local: true},
		{raw: "scgi://127.0.0.1:5000", network: "tcp", address: "127.0.0.1:5000", local: true},
		{raw: "scgi://seedbox.example:5000", network: "tcp", address: "seedbox.example:5000"},
		{raw: "scgi://[::1]:5000", network: "tcp", address: "[::1]:5000", local: true},
		{raw: "http://localhost/RPC2", address: "http://localhost/RPC2", local: true},
		{raw: "https://seedbox.example/RPC2", address: "https://seedbox.example/RPC2"},
		{raw: "", wantErr: "empty URL"},
		{raw: "ftp://x/y", wantErr: `unknown scheme "ftp"`},
		{raw: "/tmp/rpc.socket", wantErr: "no scheme"},
		{raw: "scgi://relative/path.socket", wantErr: "needs host:port"},
		{raw: "scgi://127.0.0.1", wantErr: "needs host:port"},
		{raw: "scgi://127.0.0.1:5000/RPC2", wantErr: "takes no path"},
		{raw: "scgi://user:pw@127.0.0.1:5000", wantErr: "no authentication"},
		{raw: "scgi:///" + strings.Repeat("x", 120), wantErr: "longer than the 107 bytes"},
		{raw: "http:///RPC2", wantErr: "no host"},
		{raw: "http://%zz", wantErr: "invalid URL escape"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			ep, err := ParseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL(%q) error = %v, want one containing %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.raw, err)
			}
			if ep.Network != tt.network || ep.Address != tt.address || ep.isLocal() != tt.local {
				t.Errorf("ParseURL(%q) = %+v local=%v, want network %q address %q local=%v", tt.raw, ep, ep.isLocal(), tt.network, tt.address, tt.local)
			}
		})
	}
}

func TestURLPasswordNeverInMessages(t *testing.T) {
	c, err := New(Config{Name: "x", URL: "http://admin:s3cret@127.0.0.1:1/RPC2"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.Endpoint().Display, "s3cret") {
		t.Fatalf("display URL %q shows the password", c.Endpoint().Display)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Name: "a", URL: "scgi:///x.sock", Username: "u"}, "http(s) URLs only"},
		{Config{Name: "a", URL: "scgi:///x.sock", Timeout: -1}, "negative Timeout"},
		{Config{Name: "a", URL: "https://h/RPC2", CAFile: "/nonexistent/ca.pem"}, "CA file"},
		{Config{Name: "a", URL: "gopher://h"}, `rtorrent "a": URL`},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want error containing %q", tt.cfg, err, tt.want)
		}
	}
}
