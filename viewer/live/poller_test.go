package live

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// TestRRDFallback: without a unixsock socket the snapshot comes from the
// RRD files (made by the rrdtool command line), says so, and carries
// their last values: gauges as last written, DERIVE as the stored rate.
func TestRRDFallback(t *testing.T) {
	dir := t.TempDir()
	const h = "fallback"
	collectdenv.RRD(t, dir, h+"/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 30,
		func(i, j int) float64 { return float64(i) + float64(j)/10 })
	collectdenv.RRD(t, dir, h+"/interface-eth0/if_octets.rrd", []string{"rx:DERIVE", "tx:DERIVE"}, 30,
		func(i, j int) float64 { return float64(1000 * (j + 1)) })
	collectdenv.RRD(t, dir, h+"/rtorrent-main/count-items_total.rrd", []string{"value:GAUGE"}, 30,
		func(i, j int) float64 { return 42 })
	collectdenv.RRD(t, dir, h+"/rtorrent-main/rtorrent_rate-up.rrd", []string{"value:GAUGE"}, 30,
		func(i, j int) float64 { return 5000 + float64(i) })

	p := New(Config{Socket: filepath.Join(dir, "no-such-socket"), Store: datadir.NewStore(dir, time.Minute),
		Interval: time.Second, Hostname: h, DiskPaths: []string{dir}})
	s := p.poll(context.Background())
	if s.Source != "rrd" || !strings.Contains(s.Note, "unixsock unavailable") || s.Error != "" {
		t.Fatalf("source %q note %q error %q", s.Source, s.Note, s.Error)
	}
	if len(s.Hosts) != 1 {
		t.Fatalf("hosts %+v", s.Hosts)
	}
	host := s.Hosts[0]
	want := lastUpdate(t, filepath.Join(dir, h, "load/load.rrd"))
	if host.Load == nil || host.Load.Short != want[0] || host.Load.Mid != want[1] || host.Load.Long != want[2] {
		t.Errorf("load %+v, rrdtool lastupdate says %v", host.Load, want)
	}
	if host.Net == nil || host.Net.RxBytesPerSec != 1000 || host.Net.TxBytesPerSec != 2000 {
		t.Errorf("net %+v, want the stored rates 1000/2000", host.Net)
	}
	if len(host.Disks) != 1 || host.Disks[0].Source != "statfs" || host.Disks[0].TotalBytes <= 0 {
		t.Errorf("disks %+v", host.Disks)
	}
	if len(host.RTorrent) != 1 || *host.RTorrent[0].Items["total"] != 42 || *host.RTorrent[0].Up.Rate != 5029 {
		t.Errorf("rtorrent %+v", host.RTorrent)
	}
	// The age says how old the files are: the last update lies 10 s back.
	if a := s.At(time.Now()).Age; a == nil || *a < 9 || *a > 30 {
		t.Errorf("age %v", a)
	}
}

// TestNoSource: neither unixsock nor a DataDir: an error in the reply,
// not a crash or an empty 200 that looks fine.
func TestNoSource(t *testing.T) {
	dir := t.TempDir()
	p := New(Config{Socket: filepath.Join(dir, "none"), Store: datadir.NewStore(filepath.Join(dir, "missing"), time.Minute), Interval: time.Second})
	s := p.poll(context.Background())
	if s.Source != "none" || !strings.Contains(s.Error, "unixsock unavailable") || !strings.Contains(s.Error, "RRD files failed") {
		t.Errorf("source %q error %q", s.Source, s.Error)
	}
}

func lastUpdate(t *testing.T, file string) []float64 {
	out := collectdenv.Rrdtool(t, "lastupdate", file)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	_, vals, _ := strings.Cut(lines[len(lines)-1], ": ")
	var v []float64
	for _, f := range strings.Fields(vals) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("lastupdate %q", out)
		}
		v = append(v, x)
	}
	return v
}

// TestPollerAgainstCollectd runs the poller against a real collectd: one
// poll per interval whatever the number of clients, a publish wakes
// waiters, and when collectd stops the snapshot falls back to the RRD
// files and says so.
func TestPollerAgainstCollectd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts collectd")
	}
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "poller"})
	interval := 500 * time.Millisecond
	p := New(Config{Socket: c.Sock, Store: datadir.NewStore(c.DataDir, time.Second), Interval: interval, Hostname: "poller", DiskPaths: []string{"/"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	s, err := p.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != "collectd" || len(s.Hosts) != 1 || s.Hosts[0].Load == nil || s.Hosts[0].CPUPercent == nil {
		t.Fatalf("first snapshot: %+v", s)
	}

	// 40 clients asking as fast as they can for 2 s cost collectd the
	// same polls as one client.
	before := p.Polls()
	var wg sync.WaitGroup
	stop := time.Now().Add(2 * time.Second)
	var calls sync.Map
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n := 0
			for time.Now().Before(stop) {
				if _, err := p.Current(ctx); err != nil {
					t.Error(err)
					return
				}
				n++
				time.Sleep(time.Millisecond)
			}
			calls.Store(i, n)
		}(i)
	}
	wg.Wait()
	polls := p.Polls() - before
	total := 0
	calls.Range(func(_, v any) bool { total += v.(int); return true })
	if polls < 2 || polls > 7 || total < 1000 {
		t.Errorf("%d client calls caused %d polls in 2 s at a %v interval; want about 4", total, polls, interval)
	}

	// A publish closes the Changed channel.
	select {
	case <-p.Changed():
	case <-time.After(3 * interval):
		t.Fatal("no publish within 3 intervals")
	}

	// collectd gone: the next snapshots come from the RRD files. The
	// rrdtool plugin here writes at once (CacheTimeout 0), so they exist.
	c.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, _ := p.Current(ctx)
		if s.Source == "rrd" {
			if !strings.Contains(s.Note, "unixsock unavailable") || len(s.Hosts) != 1 || s.Hosts[0].Load == nil {
				t.Errorf("fallback snapshot: note %q hosts %d", s.Note, len(s.Hosts))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %q 5 s after collectd stopped", s.Source)
		}
		time.Sleep(interval / 2)
	}
}

// TestFlush: with values held in collectd's cache (CacheTimeout 3600) the
// files stay behind until Flush; LastValueTimes knows the newer times.
func TestFlush(t *testing.T) {
	testenv.Need(t, "rrdtool")
	if testing.Short() {
		t.Skip("starts collectd")
	}
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "flush", CacheTimeout: 3600})
	p := New(Config{Socket: c.Sock, Store: datadir.NewStore(c.DataDir, time.Second), Interval: time.Second})
	defer p.sock.Close()
	ctx := context.Background()
	times, err := p.LastValueTimes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lid := unixsock.Identifier{Host: "flush", Plugin: "load", Type: "load"}
	seen, ok := times[lid]
	if !ok {
		t.Fatalf("LastValueTimes has no %s", lid)
	}
	file := filepath.Join(c.DataDir, "flush/load/load.rrd")
	lastOf := func() int64 {
		out, err := exec.Command("rrdtool", "last", file).Output()
		if err != nil {
			return 0
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		return n
	}
	if l := lastOf(); l >= seen.Unix() {
		t.Fatalf("file already up to date (%d >= %d): the cache setting did not hold values back", l, seen.Unix())
	}
	// Many identifiers: more than fit one 1024-byte FLUSH line.
	var ids []unixsock.Identifier
	for id := range times {
		ids = append(ids, id)
	}
	if err := p.Flush(ctx, ids); err != nil {
		t.Fatalf("Flush of %d identifiers: %v", len(ids), err)
	}
	// The test's own `rrdtool last` read-locks the file; collectd's
	// rrdtool plugin drops an update that meets that lock ("could not
	// lock RRD"), so poll gently and flush again after a miss: the cache
	// holds the next interval's values until then.
	deadline := time.Now().Add(5 * time.Second)
	for lastOf() < seen.Unix() {
		if time.Now().After(deadline) {
			t.Fatalf("load.rrd last update %d still before %d 5 s after FLUSH", lastOf(), seen.Unix())
		}
		time.Sleep(400 * time.Millisecond)
		if lastOf() < seen.Unix() {
			if err := p.Flush(ctx, []unixsock.Identifier{lid}); err != nil {
				t.Fatalf("Flush again: %v", err)
			}
		}
	}
	if math.Abs(float64(lastOf()-seen.Unix())) > 5 {
		t.Errorf("last update %d far from the value time %d", lastOf(), seen.Unix())
	}
}

// TestPublishKeepsNewest: a poll that finishes after a later one (the
// schedule's poll racing Refresh) must not replace the newer snapshot;
// /json/live would go back in time. Seen as TestStack/live_equals_GETVAL
// reading values older than the Refresh it had just made.
func TestPublishKeepsNewest(t *testing.T) {
	dir := t.TempDir()
	p := New(Config{Socket: filepath.Join(dir, "none"), Store: datadir.NewStore(filepath.Join(dir, "missing"), time.Minute), Interval: time.Second})
	older := p.poll(context.Background())
	time.Sleep(2 * time.Millisecond)
	newer := p.poll(context.Background())
	if newer.Time <= older.Time {
		t.Fatalf("poll times %v then %v", older.Time, newer.Time)
	}
	p.publish(newer)
	p.publish(older) // the late one
	got, err := p.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != newer {
		t.Errorf("Current is the snapshot of %v, want the newer one of %v", got.Time, newer.Time)
	}
}
