package live

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
)

// withoutUnixsock writes a copy of c's configuration without the unixsock
// plugin: collectd runs and writes its RRD files, and the socket is gone.
func withoutUnixsock(t *testing.T, c *collectdenv.Collectd) string {
	t.Helper()
	b, err := os.ReadFile(c.Conf)
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	start, end := strings.Index(conf, "LoadPlugin unixsock\n"), strings.Index(conf, "</Plugin>\nLoadPlugin load")
	if start < 0 || end < start {
		t.Fatalf("no unixsock block in %s", c.Conf)
	}
	conf = conf[:start] + conf[end+len("</Plugin>\n"):]
	path := filepath.Join(c.Dir, "no-unixsock.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// goroutines is the goroutine count once the ones that are ending have
// ended: it waits (bounded) for the count to drop to want or below.
func goroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSource polls p.Current until the snapshot's source is want and its
// time is after since, and returns it with the polls it took.
func waitSource(t *testing.T, p *Poller, want string, since time.Time) (*Snapshot, int64) {
	t.Helper()
	ctx := context.Background()
	before := p.Polls()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := p.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Source == want && s.Time > float64(since.UnixMilli())/1000 {
			return s, p.Polls() - before
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot from %q after %v; last: source %q note %q error %q", want, since, s.Source, s.Note, s.Error)
		}
		select {
		case <-p.Changed():
		case <-time.After(time.Second):
		}
	}
}

// TestFaultCollectdRestartAndSocketGone runs the live poller against a
// real collectd that is stopped and started again under it, twice, and
// that then runs without its unixsock plugin. Meanwhile the snapshots
// come from the RRD files and say so; the log says so once per outage, not
// at every poll; the live data comes back from collectd by itself at the
// first poll after collectd answers; an RRD file that turns bad during
// the fallback is left out with one log line naming it; no goroutines
// are left behind.
func TestFaultCollectdRestartAndSocketGone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts collectd")
	}
	testenv.Need(t, "rrdtool", collectdenv.CollectdBin)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "fault"})
	const interval = 300 * time.Millisecond
	rec := &collectdenv.LogRecorder{}
	p := New(Config{Socket: c.Sock, Store: datadir.NewStore(c.DataDir, time.Second), Interval: interval,
		Hostname: "fault", DiskPaths: []string{"/"}, Log: slog.New(rec)})
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitSource(t, p, "collectd", time.Now())

	outage := func(round int, what string, begin func()) {
		t.Helper()
		began := time.Now()
		begin()
		s, _ := waitSource(t, p, "rrd", began)
		if !strings.Contains(s.Note, "collectd unixsock unavailable") || !strings.Contains(s.Note, c.Sock) || len(s.Hosts) != 1 || s.Hosts[0].Load == nil {
			t.Fatalf("%s: fallback snapshot: note %q, hosts %d", what, s.Note, len(s.Hosts))
		}
		// Several polls in the fallback: one warning for the outage.
		waitPolls(t, p, 5)
		if w := rec.Matching("WARN", "unixsock unavailable"); len(w) != round {
			t.Fatalf("%s: %d warnings about the unixsock after %d outages, want one each:\n%s", what, len(w), round, rec)
		}
	}
	var current *collectdenv.Daemon // the collectd this test started last
	recovery := func(round int, what string) {
		t.Helper()
		current = c.Restart(t)
		s, polls := waitSource(t, p, "collectd", time.Now())
		// Back at the first poll after collectd answers, or the one
		// after it if a poll was under way meanwhile.
		if polls > 2 || s.Note != "" || s.Error != "" || s.Hosts[0].Load == nil {
			t.Fatalf("%s: back after %d polls; note %q error %q", what, polls, s.Note, s.Error)
		}
		if i := rec.Matching("INFO", "answers again"); len(i) != round {
			t.Fatalf("%s: %d notes of collectd's return after %d outages:\n%s", what, len(i), round, rec)
		}
	}

	// collectd stopped and started again, twice.
	for round := 1; round <= 2; round++ {
		outage(round, "collectd stopped", func() {
			if round == 1 {
				c.Stop()
			} else {
				current.Stop()
			}
		})
		if round == 2 {
			// A bad RRD file during the fallback: the others still give
			// their values, and it is named once.
			load := filepath.Join(c.DataDir, "fault", "load", "load.rrd")
			orig, err := os.ReadFile(load)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(load, orig[:len(orig)/3], 0o644); err != nil {
				t.Fatal(err)
			}
			s, _ := waitSource(t, p, "rrd", time.Now())
			waitPolls(t, p, 3)
			if s.Hosts[0].Load != nil || s.Hosts[0].Memory == nil {
				t.Fatalf("with load.rrd truncated: load %v memory %v", s.Hosts[0].Load, s.Hosts[0].Memory)
			}
			if w := rec.Matching("WARN", "left out", load); len(w) != 1 || !strings.Contains(w[0], "truncated") {
				t.Fatalf("%d warnings naming %s, want 1 saying it is truncated:\n%s", len(w), load, rec)
			}
			if err := os.WriteFile(load, orig, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		recovery(round, "collectd started again")
	}

	// The unixsock gone while collectd runs (restarted without the
	// unixsock plugin): the fallback reads the RRD files collectd keeps
	// writing, and says so once.
	outage(3, "unixsock gone", func() {
		current.Stop()
		current = c.Start(t, withoutUnixsock(t, c))
	})
	if _, err := os.Stat(c.Sock); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there: %v", err)
	}
	if l := rec.Matching("ERROR"); len(l) != 0 {
		t.Errorf("errors logged although the RRD files answered:\n%s", strings.Join(l, "\n"))
	}
	current.Stop()
	recovery(3, "collectd started again with its unixsock")

	cancel()
	<-done
	if g := goroutines(base); g > base+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines %d before the poller, %d after it stopped\n%s", base, g, buf[:runtime.Stack(buf, true)])
	}
}

// waitPolls waits (bounded) until the poller has taken n more snapshots.
func waitPolls(t *testing.T, p *Poller, n int64) {
	t.Helper()
	want := p.Polls() + n
	deadline := time.After(20 * time.Second)
	for p.Polls() < want {
		select {
		case <-p.Changed():
		case <-deadline:
			t.Fatalf("the poller took %d of %d snapshots in 20 s", n-(want-p.Polls()), n)
		}
	}
}
