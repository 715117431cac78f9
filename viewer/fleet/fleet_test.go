package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/problems"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// mkHost makes DataDir/<host>/load/load.rrd (the index needs one file).
func mkHost(t *testing.T, dir, host string) {
	t.Helper()
	d := filepath.Join(dir, host, "load")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "load.rrd"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBoundsFromDataDir: with collectd unreadable the table lists the
// hosts of DataDir, all stale; hosts beyond MaxHosts and names beyond
// MaxNameLen are counted, not listed; markup in names stays text in the
// JSON; the encoded table stays under 2 MB.
func TestBoundsFromDataDir(t *testing.T) {
	testenv.Slow(t, "indexes a DataDir of 5,000 hosts")
	dir := t.TempDir()
	for i := 0; i < MaxHosts+1; i++ {
		mkHost(t, dir, fmt.Sprintf("h%05d", i))
	}
	long := strings.Repeat("x", MaxNameLen+1)
	mkHost(t, dir, long)
	mkHost(t, dir, "<img src=x onerror=alert(1)>")
	mkHost(t, dir, FleetHost)
	p := New(Config{Socket: filepath.Join(dir, "no-such-socket"), Store: datadir.NewStore(dir, time.Minute)})
	tab := p.Refresh(context.Background())
	_, b, err := p.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Source != "datadir" || tab.Error == "" {
		t.Errorf("source %q, error %q: want datadir and why", tab.Source, tab.Error)
	}
	if len(tab.Rows) != MaxHosts || tab.HostsOmitted != 2 || tab.Refused != 1 {
		t.Errorf("%d rows, %d omitted, %d refused; want %d, 2, 1", len(tab.Rows), tab.HostsOmitted, tab.Refused, MaxHosts)
	}
	if !tab.FleetGraphs {
		t.Errorf("fleet_graphs false with %s in DataDir", FleetHost)
	}
	for _, r := range tab.Rows {
		if !r.Stale || r.Host == FleetHost || r.Host == long {
			t.Fatalf("row %+v: want stale, and neither %s nor the long name listed", r, FleetHost)
		}
	}
	if tab.Totals.Hosts != MaxHosts || tab.Totals.HostsStale != MaxHosts {
		t.Errorf("totals %+v", tab.Totals)
	}
	if strings.Contains(string(b), "<img") {
		t.Errorf("markup from a host name is in the JSON as is")
	}
	if len(b) > 2<<20 {
		t.Errorf("/json/fleet is %d bytes at %d hosts, want under 2 MB", len(b), MaxHosts)
	}
	var back Table
	if err := json.Unmarshal(b, &back); err != nil || len(back.Rows) != MaxHosts {
		t.Errorf("the encoded table does not decode: %v", err)
	}
}

// TestBatchedEqualsPerValue: a real collectd holding values of a few
// hosts (PUTVAL); the batched refresh reads exactly what one GETVAL per
// round trip reads, in far fewer round trips, and the rows carry the
// values put.
func TestBatchedEqualsPerValue(t *testing.T) {
	testenv.Need(t, collectdenv.CollectdBin)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "central"})
	now := time.Now().Unix()
	const hosts = 40
	for h := 0; h < hosts; h++ {
		for _, in := range []string{"main", "other"} {
			for _, v := range []struct {
				id  string
				val int
			}{
				{"rtorrent_rate-up", 1000 + h}, {"rtorrent_rate-down", 2000 + h}, {"count-items_total", 10 + h},
				{"count-items_active", h % 3}, {"count-items_messages", 1},
			} {
				cmd := fmt.Sprintf("PUTVAL \"box%02d/rtorrent-%s/%s\" interval=10 %d:%d", h, in, v.id, now, v.val)
				if _, err := c.Command(cmd); err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
			}
		}
		for _, v := range []string{"free", "used", "reserved"} {
			if _, err := c.Command(fmt.Sprintf("PUTVAL \"box%02d/df-root/df_complex-%s\" interval=10 %d:1000", h, v, now)); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.WaitValues(t, 10*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	var tabs [2]*Table
	for {
		for i, perValue := range []bool{false, true} {
			p := New(Config{Socket: c.Sock, PerValue: perValue})
			tabs[i] = p.Refresh(context.Background())
			p.sock.Close()
		}
		if tabs[0].Totals.Instances == 2*hosts || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	batched, single := tabs[0], tabs[1]
	if batched.Error != "" || single.Error != "" {
		t.Fatalf("errors: %q, %q", batched.Error, single.Error)
	}
	strip := func(tb *Table) string {
		var rows []Row
		for _, r := range tb.Rows {
			if strings.HasPrefix(r.Host, "box") {
				r.Age = 0
				rows = append(rows, r)
			}
		}
		b, _ := json.Marshal(rows)
		return string(b)
	}
	if strip(batched) != strip(single) {
		t.Errorf("batched and per-value tables differ:\n%s\n%s", strip(batched), strip(single))
	}
	if batched.Totals.Instances != 2*hosts || batched.Refresh.Read < 2*hosts*5 {
		t.Fatalf("batched: %d instances, %d values read; want %d and at least %d", batched.Totals.Instances, batched.Refresh.Read, 2*hosts, 2*hosts*5)
	}
	if batched.Refresh.RoundTrips > 3 || single.Refresh.RoundTrips < batched.Refresh.Read {
		t.Errorf("round trips: batched %d, per value %d (for %d values)", batched.Refresh.RoundTrips, single.Refresh.RoundTrips, batched.Refresh.Read)
	}
	for _, r := range batched.Rows {
		if r.Host == "box07" && r.Instance == "main" {
			if r.Up == nil || *r.Up != 1007 || r.Items == nil || *r.Items != 17 || r.DiskFree == nil || *r.DiskFree != 1000 || r.DiskTotal == nil || *r.DiskTotal != 3000 {
				b, _ := json.Marshal(r)
				t.Errorf("box07/main = %s; want up 1007, items 17, disk free 1000 of 3000", b)
			}
		}
	}
}

// TestSharedAcrossClients: many concurrent readers cost one refresh per
// interval, not one each.
func TestSharedAcrossClients(t *testing.T) {
	dir := t.TempDir()
	mkHost(t, dir, "a")
	p := New(Config{Socket: filepath.Join(dir, "none"), Store: datadir.NewStore(dir, time.Minute), Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	done := make(chan struct{})
	for i := 0; i < 50; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 20; j++ {
				if _, _, err := p.Current(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		<-done
	}
	if n := p.Polls(); n > 2 {
		t.Errorf("1,000 reads by 50 clients cost %d refreshes, want 1", n)
	}
}

// TestProblemsColumn: problems recorded by rtmon-notify (viewer/problems)
// count on the instance's row and, for the host's own, on every row of
// the host; failures come first.
func TestProblemsColumn(t *testing.T) {
	dir := t.TempDir()
	mkHost(t, dir, "box1")
	pdir := t.TempDir()
	now := time.Now()
	for _, n := range []problems.Notification{
		{Severity: "WARNING", Host: "box1", Plugin: "df", PluginInstance: "root", Type: "percent_bytes", TypeInstance: "free", Message: "disk almost full"},
		{Severity: "FAILURE", Host: "box1", Plugin: "rtorrent", PluginInstance: "main", Message: "rTorrent unreachable"},
		{Severity: "FAILURE", Host: "other", Plugin: "load", Message: "load high"},
	} {
		n.Time = now
		if err := problems.Record(pdir, n, now); err != nil {
			t.Fatal(err)
		}
	}
	p := New(Config{Socket: filepath.Join(dir, "none"), Store: datadir.NewStore(filepath.Join(dir), time.Minute), ProblemsDir: pdir})
	tab := p.Refresh(context.Background())
	if tab.ProblemsError != "" || tab.Totals.Problems != 3 {
		t.Fatalf("problems: %d, error %q; want 3", tab.Totals.Problems, tab.ProblemsError)
	}
	r := Row{Host: "box1", Instance: "main"}
	p.readProblems(&Table{}, now).apply(&r)
	if r.Problems != 2 || !strings.HasPrefix(r.Problem, "FAILURE: rTorrent unreachable") {
		t.Errorf("box1/main: %d problems, first %q; want 2, the FAILURE first", r.Problems, r.Problem)
	}
	r = Row{Host: "box1", Instance: "other"}
	p.readProblems(&Table{}, now).apply(&r)
	if r.Problems != 1 || !strings.Contains(r.Problem, "disk almost full") {
		t.Errorf("box1/other: %d problems, first %q; want the host's own only", r.Problems, r.Problem)
	}
}

// TestClockAges: a host's uptime gives the time of its values between
// LISTVALs; a restart (uptime going back) drops the clock until the next
// LISTVAL, and the host is not taken for stale meanwhile.
func TestClockAges(t *testing.T) {
	var s seenHosts
	clock := unixsock.Identifier{Host: "box", Plugin: "uptime", Type: "uptime"}
	base := time.Unix(1_800_000_000, 0)
	h := &hostAcc{name: "box", listed: true, clock: clock, clockTime: base}
	hosts := map[string]*hostAcc{"box": h}
	vals := map[unixsock.Identifier][]float64{clock: {1000}}
	st := s.update([]string{"box"}, hosts, vals, true, base)["box"]
	if st.start != float64(base.Unix()-1000) || !st.sample.Equal(base) {
		t.Fatalf("after LISTVAL: start %v sample %v", st.start, st.sample)
	}
	// Two refreshes without LISTVAL: the value moves by 10 s each.
	vals[clock] = []float64{1010}
	s.update([]string{"box"}, hosts, vals, false, base.Add(11*time.Second))
	vals[clock] = []float64{1020}
	st = s.update([]string{"box"}, hosts, vals, false, base.Add(21*time.Second))["box"]
	if !st.sample.Equal(base.Add(20*time.Second)) || st.interval != 10*time.Second || !st.learnt {
		t.Errorf("sample %v (want base+20s), interval %v learnt %v (want 10s)", st.sample, st.interval, st.learnt)
	}
	if !s.allClocked() {
		t.Errorf("allClocked false with the one host clocked")
	}
	// A restart: uptime back to 5.
	vals[clock] = []float64{5}
	st = s.update([]string{"box"}, hosts, vals, false, base.Add(31*time.Second))["box"]
	if st.start != 0 || s.allClocked() {
		t.Errorf("after uptime went back: start %v, allClocked %v; want the clock dropped", st.start, s.allClocked())
	}
}
