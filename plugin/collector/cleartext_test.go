package collector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestCleartextAuthWarnedOnce: basic auth over plain http:// to a host
// that is not loopback is warned about once per instance, at configure
// time, not at every read; no line holds the password. The host is
// 0.0.0.0: not a loopback address by its spelling (the plugin goes by
// the URL), while Linux delivers a connection to it over loopback, so the
// reads reach the real rTorrent behind nginx and nothing leaves the
// machine. A loopback URL gets no warning.
func TestCleartextAuthWarnedOnce(t *testing.T) {
	testenv.Need(t, "rtorrent", "nginx")
	const password = "hunter2-s3cr3t"
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	web := testenv.StartNginx(t, rt.Socket, "rt", password)
	for _, tc := range []struct {
		name, url string
		warnings  int
	}{
		{"not loopback", strings.Replace(web.URL, "://127.0.0.1:", "://rt:"+password+"@0.0.0.0:", 1), 1},
		{"loopback", strings.Replace(web.URL, "://", "://rt:"+password+"@", 1), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.url, password+"@") {
				t.Fatalf("URL %q holds no password", tc.url)
			}
			var s sink
			c, log := newCollector(t, tc.url, 2*time.Second, s.write)
			for i := range 4 {
				if n := c.Read(context.Background(), interval); n == 0 {
					t.Fatalf("read %d wrote nothing:\n%s", i, log)
				}
			}
			got := strings.Count(log.String(), "sent in clear text")
			if got != tc.warnings || log.count("warning") != tc.warnings {
				t.Errorf("%d clear-text warnings (%d warnings) over 4 reads, want %d:\n%s", got, log.count("warning"), tc.warnings, log)
			}
			if strings.Contains(log.String(), password) || strings.Contains(c.URL(), password) {
				t.Errorf("the password is in the log or the shown URL %q:\n%s", c.URL(), log)
			}
		})
	}
}
