package rtorrent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestRealTransports reads a real rTorrent over each transport and checks
// the pid against the process the test environment started.
func TestRealTransports(t *testing.T) {
	testenv.Need(t, "rtorrent", "nginx")
	unix := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tcp := testenv.StartRTorrent(t, testenv.RTorrentOptions{TCP: true})
	web := testenv.StartNginx(t, unix.Socket, "rt", "s3cret pass")

	tests := []struct {
		name string
		cfg  Config
		pid  int
	}{
		{"unix socket", Config{URL: unix.URL}, unix.PID},
		{"tcp", Config{URL: tcp.URL}, tcp.PID},
		{"http via nginx with basic auth", Config{URL: web.URL, Username: web.User, Password: web.Password}, unix.PID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Name = "main"
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, err := c.Call(ctx, "system.pid")
			if err != nil {
				t.Fatal(err)
			}
			if v != int64(tt.pid) {
				t.Fatalf("system.pid = %#v, want %d", v, tt.pid)
			}
			m, err := c.Methods(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !m["d.multicall2"] || !m["view.size"] || m["network.open_files"] {
				t.Errorf("methods: d.multicall2=%v view.size=%v network.open_files=%v; want true, true, false (stock 0.9.8)",
					m["d.multicall2"], m["view.size"], m["network.open_files"])
			}
			res, err := c.Multicall(ctx, []Method{{Name: "view.size", Args: []any{"", "main"}}, {Name: "network.open_files"}, {Name: "view.size", Args: []any{"", "no-such-view"}}, {Name: "system.client_version"}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err != nil || res[0].Value != int64(0) || res[3].Value != "0.9.8" {
				t.Errorf("good sub-calls: %+v", res)
			}
			if !IsMethodMissing(res[1].Err) {
				t.Errorf("network.open_files: %v, want method not defined", res[1].Err)
			}
			if res[2].Err == nil || IsMethodMissing(res[2].Err) || !strings.Contains(res[2].Err.Error(), "no-such-view") {
				t.Errorf("missing view: %v, want a fault naming the view", res[2].Err)
			}
		})
	}

	t.Run("http with a wrong password", func(t *testing.T) {
		c, err := New(Config{Name: "main", URL: web.URL, Username: web.User, Password: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Call(context.Background(), "system.pid")
		want := `rtorrent "main" (` + web.URL + `): http: 401 Unauthorized: wrong or missing Username/Password`
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %s", err, want)
		}
	})
}

// TestRealReplyCap loads items into a real rTorrent and asks for more than
// the cap allows: the call fails cleanly and the next one works.
func TestRealReplyCap(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(500, "http://127.0.0.1:1/announce", "cap")), false)
	rt.WaitItems(t, 500, 20*time.Second)

	c, err := New(Config{Name: "main", URL: rt.URL, MaxReplyBytes: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), "d.multicall2", "", "main", "d.hash=", "d.name=", "d.size_bytes=")
	if err == nil || !strings.HasSuffix(err.Error(), "read: reply larger than 32 KiB") {
		t.Fatalf("err = %v, want ...read: reply larger than 32 KiB", err)
	}
	if v, err := c.Call(context.Background(), "view.size", "", "main"); err != nil || v != int64(500) {
		t.Fatalf("after a refused reply: view.size = %v, %v; want 500", v, err)
	}
}

// TestRealNames round-trips markup and non-ASCII text through a real
// rTorrent, with a 64-bit size, as the scan reads them.
func TestRealNames(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tor := testenv.FakeTorrents(1, "http://127.0.0.1:1/announce", "names")
	rt.LoadRaw(t, testenv.Metas(tor), false)
	rt.WaitItems(t, 1, 10*time.Second)
	rt.MustCall(t, "d.custom1.set", tor[0].InfoHash, "caf\u00e9 <&> label")
	c, _ := New(Config{Name: "main", URL: rt.URL})
	v, err := c.Call(context.Background(), "d.multicall2", "", "main", "d.hash=", "d.custom1=", "d.size_bytes=")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := v.([]any)
	if len(rows) != 1 {
		t.Fatalf("rows = %#v", v)
	}
	row := rows[0].([]any)
	if row[0] != tor[0].InfoHash || row[1] != "caf\u00e9 <&> label" || row[2] != tor[0].Size {
		t.Errorf("row = %#v, want hash %s, label, size %d", row, tor[0].InfoHash, tor[0].Size)
	}
}
