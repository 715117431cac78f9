package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/live"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

const stackHost = "stack"

// stack is the real thing: a loopback swarm (opentracker, a seeding and a
// leeching rTorrent moving real data), 8 more items loaded into the seeder
// (3 started, 5 stopped), collectd with rtmon's plugin reading both
// rTorrents (instances "main", the seeder, and "leech") and the host
// plugins, the rrdtool plugin holding values in its cache until a FLUSH
// (CacheTimeout 3600), and the viewer on loopback.
type stack struct {
	started time.Time
	rt      *testenv.RTorrent // the seeder, instance "main"
	leech   *testenv.RTorrent
	cd      *collectdenv.Collectd
	sv      *testServer
}

func startStack(t *testing.T) *stack {
	t.Helper()
	started := time.Now()
	testenv.Need(t, "rtorrent", "opentracker", "rrdtool", collectdenv.CollectdBin)
	// 32 MiB at 512 KiB/s: data moves for about a minute, longer than
	// the test runs.
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Size: 32 << 20, UploadKiB: 512})
	rt := sw.Seeder
	metas := testenv.Metas(testenv.FakeTorrents(8, "http://127.0.0.1:9/announce", "viewer"))
	rt.LoadRaw(t, metas[:5], false)
	rt.LoadRaw(t, metas[5:], true)
	rt.WaitItems(t, 9, 20*time.Second)
	sw.WaitTransferring(t, 30*time.Second)
	cd := collectdenv.StartCollectd(t, collectdenv.Options{
		Host: stackHost, CacheTimeout: 3600, PluginDir: collectdenv.PluginDir(t),
		RTorrent: []collectdenv.Instance{
			{Name: "main", URL: rt.URL, Extra: []string{"MinScanInterval 1"}},
			{Name: "leech", URL: sw.Leecher.URL, Extra: []string{"MinScanInterval 1"}},
		},
	})
	cd.WaitValues(t, 30*time.Second, "rtorrent-main/count-items_total", "rtorrent-main/count-items_active",
		"rtorrent-main/rtorrent_rate-up", "rtorrent-leech/rtorrent_rate-down", "interface-eth0/if_octets", "uptime/uptime")
	sv := startServer(t, serverOptions{DataDir: cd.DataDir, Socket: cd.Sock, Hostname: stackHost, EventLifetime: time.Nanosecond})
	return &stack{started: started, rt: rt, leech: sw.Leecher, cd: cd, sv: sv}
}

// TestStack runs the viewer against the real stack. Ground truth comes
// from collectd's unixsock read by the test itself (collectdenv), from
// rTorrent over XML-RPC (testenv) and from the rrdtool command.
func TestStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rTorrent and collectd")
	}
	st := startStack(t)
	t.Run("live equals GETVAL", st.liveEqualsGetval)
	t.Run("events", st.events)
	t.Run("pyrotorque endpoints", st.pyrotorque)
	t.Run("graphs flush first", st.graphsFlush)
	t.Run("concurrent renders", st.concurrentRenders)
	t.Run("browser", st.browser)
}

// truth is collectd's cache as the test reads it.
type truth struct {
	times map[string]float64
	vals  map[string][]float64
}

func (st *stack) readTruth(t *testing.T) truth {
	t.Helper()
	times, err := st.cd.ListVal()
	if err != nil {
		t.Fatal(err)
	}
	tr := truth{times: times, vals: map[string][]float64{}}
	for full := range times {
		id, err := unixsock.ParseIdentifier(full)
		if err != nil || !live.Wanted(id) {
			continue
		}
		v, err := st.cd.GetVal(strings.TrimPrefix(full, stackHost+"/"))
		if err != nil {
			continue // dropped out since LISTVAL
		}
		tr.vals[full] = v
	}
	return tr
}

// liveEqualsGetval takes a snapshot between two reads of collectd during
// which no wanted value changed (same LISTVAL times before and after), so
// /json/live must show exactly what GETVAL returned.
func (st *stack) liveEqualsGetval(t *testing.T) {
	ctx := context.Background()
	for attempt := 0; attempt < 30; attempt++ {
		before, _ := st.cd.ListVal()
		st.sv.Poller.Refresh(ctx)
		r := get(t, st.sv.URL, "/json/live")
		tr := st.readTruth(t)
		stable := true
		for id := range tr.vals {
			if before[id] != tr.times[id] {
				stable = false
			}
		}
		if !stable {
			time.Sleep(150 * time.Millisecond)
			continue
		}
		if r.Code != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("/json/live = %d", r.Code)
		}
		var s live.Snapshot
		if err := json.Unmarshal(r.Body, &s); err != nil {
			t.Fatal(err)
		}
		st.compare(t, &s, tr)
		return
	}
	t.Fatal("collectd's values changed during every one of 30 attempts")
}

func (st *stack) compare(t *testing.T, s *live.Snapshot, tr truth) {
	if s.Source != "collectd" || s.Age == nil || *s.Age > 5 || len(s.Hosts) != 1 {
		t.Fatalf("snapshot source %q age %v hosts %d", s.Source, s.Age, len(s.Hosts))
	}
	h := s.Hosts[0]
	g := func(id string, i int) float64 {
		v, ok := tr.vals[stackHost+"/"+id]
		if !ok || i >= len(v) {
			t.Fatalf("GETVAL has no %s", id)
		}
		return v[i]
	}
	eq := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, GETVAL says %v", what, deref(got), want)
		}
	}
	if h.Name != stackHost || !h.Local {
		t.Errorf("host %q local %v", h.Name, h.Local)
	}
	eq("uptime", h.UptimeSeconds, g("uptime/uptime", 0))
	if h.Load == nil {
		t.Fatal("no load")
	}
	eq("load short", &h.Load.Short, g("load/load", 0))
	eq("load long", &h.Load.Long, g("load/load", 2))

	// Derived figures, recomputed here from the raw values.
	var busy, total, memUsed, memTotal, rx, tx float64
	for full, v := range tr.vals {
		id := strings.TrimPrefix(full, stackHost+"/")
		switch {
		case strings.HasPrefix(id, "cpu-") && strings.Contains(id, "/cpu-"):
			total += v[0]
			if !strings.HasSuffix(id, "/cpu-idle") && !strings.HasSuffix(id, "/cpu-wait") {
				busy += v[0]
			}
		case strings.HasPrefix(id, "memory/memory-"):
			memTotal += v[0]
			if id == "memory/memory-used" {
				memUsed = v[0]
			}
		case strings.HasPrefix(id, "interface-") && strings.HasSuffix(id, "/if_octets"):
			rx += v[0]
			tx += v[1]
		}
	}
	eq("cpu %", h.CPUPercent, 100*busy/total)
	if h.Memory == nil {
		t.Fatal("no memory")
	}
	eq("memory %", &h.Memory.Percent, 100*memUsed/memTotal)
	eq("memory total", &h.Memory.TotalBytes, memTotal)
	if h.Net == nil {
		t.Fatal("no net")
	}
	eq("net rx", &h.Net.RxBytesPerSec, rx)
	eq("net tx", &h.Net.TxBytesPerSec, tx)
	if len(h.Disks) != 1 || h.Disks[0].Path != "/" || h.Disks[0].Source != "statfs" || h.Disks[0].TotalBytes <= 0 {
		t.Errorf("disks %+v", h.Disks)
	}

	if len(h.RTorrent) != 2 || h.RTorrent[0].Name != "leech" || h.RTorrent[1].Name != "main" {
		t.Fatalf("rtorrent %+v", h.RTorrent)
	}
	in := h.RTorrent[1]
	for _, k := range live.ItemKeys {
		want, ok := tr.vals[stackHost+"/rtorrent-main/count-items_"+k]
		if !ok {
			if in.Items[k] != nil {
				t.Errorf("items.%s = %v, collectd has none", k, *in.Items[k])
			}
			continue
		}
		eq("items."+k, in.Items[k], want[0])
	}
	eq("up rate", in.Up.Rate, g("rtorrent-main/rtorrent_rate-up", 0))
	eq("up limit", in.Up.Limit, g("rtorrent-main/rtorrent_rate-up_limit", 0))
	eq("down limit", in.Down.Limit, g("rtorrent-main/rtorrent_rate-down_limit", 0))
	eq("open sockets", in.Sockets.Open, g("rtorrent-main/count-open_sockets", 0))

	// And the counts are rTorrent's own.
	for key, view := range map[string]string{"total": "main", "started": "started", "stopped": "stopped", "complete": "complete", "incomplete": "incomplete"} {
		n := st.rt.MustInt(t, "view.size", "", view)
		eq("items."+key+" vs rTorrent's view "+view, in.Items[key], float64(n))
	}
	eq("up limit vs rTorrent", in.Up.Limit, float64(st.rt.MustInt(t, "throttle.global_up.max_rate")))
	if *in.Items["total"] != 9 || *in.Items["stopped"] != 5 || *in.Items["started"] != 4 {
		t.Errorf("items %v/%v/%v, loaded 9 with 4 started", *in.Items["total"], *in.Items["started"], *in.Items["stopped"])
	}
	// The swarm moves data: the seeder uploads, the leecher downloads,
	// and both agree with GETVAL.
	lc := h.RTorrent[0]
	eq("leech down rate", lc.Down.Rate, g("rtorrent-leech/rtorrent_rate-down", 0))
	if *in.Up.Rate <= 0 || *lc.Down.Rate <= 0 {
		t.Errorf("no data moving: seeder up %v, leecher down %v", *in.Up.Rate, *lc.Down.Rate)
	}
	if n := st.leech.MustInt(t, "view.size", "", "main"); *lc.Items["total"] != float64(n) {
		t.Errorf("leech items %v, its rTorrent has %d", *lc.Items["total"], n)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// events reads /events: the first event is the current snapshot, and a
// new snapshot is pushed as the next event.
func (st *stack) events(t *testing.T) {
	cur := st.sv.Poller.Refresh(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", st.sv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/events = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rd := bufio.NewReader(resp.Body)
	next := func() (string, live.Snapshot) {
		var ev, data string
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("reading /events: %v", err)
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = line[6:]
			case line == "" && data != "":
				var s live.Snapshot
				if err := json.Unmarshal([]byte(data), &s); err != nil {
					t.Fatalf("event data: %v", err)
				}
				return ev, s
			}
		}
	}
	ev, s := next()
	if ev != "snapshot" || s.Time != cur.Time || len(s.Hosts) != 1 || len(s.Hosts[0].RTorrent) != 2 {
		t.Fatalf("first event %q time %v (want %v)", ev, s.Time, cur.Time)
	}
	// The stream in this test server ends after its first event
	// (EventLifetime 1ns) so the browser test can use virtual time; a real
	// server keeps it open. Check the push with a long-lived stream.
	long := startServer(t, serverOptions{DataDir: st.cd.DataDir, Socket: st.cd.Sock, Hostname: stackHost, EventLifetime: time.Minute})
	req2, _ := http.NewRequestWithContext(ctx, "GET", long.URL+"/events", nil)
	resp2, err := http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	rd = bufio.NewReader(resp2.Body)
	_, first := next()
	pushed := long.Poller.Refresh(context.Background())
	// The server's own first polls may still arrive before ours.
	for i := 0; ; i++ {
		_, ev := next()
		if ev.Time == pushed.Time {
			break
		}
		if i == 3 || ev.Time > pushed.Time || ev.Time < first.Time {
			t.Fatalf("pushed snapshot %v never arrived; got %v after %v", pushed.Time, ev.Time, first.Time)
		}
	}
}

// pyrotorque checks /json/engine and /json/charts against rTorrent and
// the live snapshot, in pyrotorque's shapes.
func (st *stack) pyrotorque(t *testing.T) {
	st.sv.Poller.Refresh(context.Background())
	var eng struct {
		Now      float64             `json:"now"`
		EngineID string              `json:"engine_id"`
		Versions []string            `json:"versions"`
		Uptime   *float64            `json:"uptime"`
		Upload   []*float64          `json:"upload"`
		Download []*float64          `json:"download"`
		Views    map[string]*float64 `json:"views"`
	}
	if r := get(t, st.sv.URL, "/json/engine"); !bytes.Contains(r.Body, []byte(`"engine_id":"stack/leech"`)) {
		t.Errorf("/json/engine without parameters: %.200s, want the host's first instance", r.Body)
	}
	r := get(t, st.sv.URL, "/json/engine?instance=main")
	if r.Code != 200 {
		t.Fatalf("/json/engine = %d %s", r.Code, r.Body)
	}
	if err := json.Unmarshal(r.Body, &eng); err != nil {
		t.Fatal(err)
	}
	if eng.EngineID != "stack/main" || len(eng.Versions) != 2 || len(eng.Upload) != 2 || len(eng.Download) != 2 || eng.Now == 0 {
		t.Errorf("engine %s", r.Body)
	}
	for _, v := range []string{"default", "main", "started", "stopped", "complete", "incomplete", "seeding", "leeching", "active", "messages"} {
		if _, ok := eng.Views[v]; !ok {
			t.Errorf("views lacks %q", v)
		}
	}
	if n := st.rt.MustInt(t, "view.size", "", "main"); eng.Views["main"] == nil || *eng.Views["main"] != float64(n) || *eng.Views["default"] != float64(n) {
		t.Errorf("views.main %v, rTorrent has %d", deref(eng.Views["main"]), n)
	}
	if lim := st.rt.MustInt(t, "throttle.global_up.max_rate"); eng.Upload[1] == nil || *eng.Upload[1] != float64(lim) {
		t.Errorf("upload limit %v, rTorrent says %d", deref(eng.Upload[1]), lim)
	}

	var ch struct {
		Engine    map[string]any    `json:"engine"`
		Uptime    *float64          `json:"uptime"`
		FQDN      string            `json:"fqdn"`
		CPU       *float64          `json:"cpu_usage"`
		RAM       []*float64        `json:"ram_usage"`
		Swap      []*float64        `json:"swap_usage"`
		DiskUsage []json.RawMessage `json:"disk_usage"`
		DiskIO    []*float64        `json:"disk_io"`
		NetIO     []*float64        `json:"net_io"`
	}
	r = get(t, st.sv.URL, "/json/charts?instance=main")
	if err := json.Unmarshal(r.Body, &ch); err != nil || r.Code != 200 {
		t.Fatalf("/json/charts = %d %v", r.Code, err)
	}
	var s live.Snapshot
	json.Unmarshal(get(t, st.sv.URL, "/json/live").Body, &s)
	h := s.Hosts[0]
	if ch.FQDN != stackHost || ch.Engine["engine_id"] != "stack/main" || ch.CPU == nil || *ch.CPU != *h.CPUPercent || *ch.Uptime != *h.UptimeSeconds {
		t.Errorf("charts %s", r.Body)
	}
	if len(ch.RAM) != 5 || *ch.RAM[0] != h.Memory.TotalBytes || *ch.RAM[2] != h.Memory.Percent || len(ch.Swap) != 6 ||
		len(ch.DiskUsage) != 3 || len(ch.DiskIO) != 4 || len(ch.NetIO) != 4 {
		t.Errorf("charts arrays %s", r.Body)
	}
	var used, total float64
	json.Unmarshal(ch.DiskUsage[0], &used)
	json.Unmarshal(ch.DiskUsage[1], &total)
	if total != h.Disks[0].TotalBytes || used <= 0 {
		t.Errorf("disk_usage %s vs %+v", r.Body, h.Disks)
	}
	for _, q := range []string{"?host=nope", "?instance=nope"} {
		if r := get(t, st.sv.URL, "/json/engine"+q); r.Code != 404 {
			t.Errorf("/json/engine%s = %d", q, r.Code)
		}
	}
}

func rrdLast(t *testing.T, file string) int64 {
	out, err := exec.Command("rrdtool", "last", file).Output()
	if err != nil {
		t.Fatalf("rrdtool last %s: %v", file, err)
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	return n
}

// graphsFlush: collectd holds values in its cache (CacheTimeout 3600);
// drawing a graph FLUSHes them first, so the files catch up with what
// collectd received, and the graph shows the plugin's data.
func (st *stack) graphsFlush(t *testing.T) {
	file := st.cd.DataDir + "/" + stackHost + "/rtorrent-main/count-items_total.rrd"
	times, err := st.cd.ListVal()
	if err != nil {
		t.Fatal(err)
	}
	seen := int64(times[stackHost+"/rtorrent-main/count-items_total"])
	if last := rrdLast(t, file); last >= seen {
		t.Fatalf("file already at %d (value at %d): collectd did not hold values back", last, seen)
	}
	_, flushesBefore := st.sv.Renderer.Stats()
	r := get(t, st.sv.URL, "/graph/stack/rtorrent-main.items?range=1h&w=900&h=400")
	if r.Code != 200 {
		t.Fatalf("graph = %d %s", r.Code, r.Body)
	}
	img, err := png.Decode(bytes.NewReader(r.Body))
	if err != nil || img.Bounds().Dx() != 900 || img.Bounds().Dy() != 400 {
		t.Fatalf("PNG %v %v", err, img.Bounds())
	}
	if _, fl := st.sv.Renderer.Stats(); fl <= flushesBefore {
		t.Error("no FLUSH before drawing")
	}
	if last := rrdLast(t, file); last < seen {
		t.Errorf("after the graph the file is at %d, before the value time %d", last, seen)
	}
	// The flushed data is in the graph's series: the last known total is
	// rTorrent's item count.
	end := time.Now().Unix()
	r = get(t, st.sv.URL, fmt.Sprintf("/api/series?host=stack&graph=rtorrent-main.items&start=%d&end=%d&w=300", end-600, end))
	var ser struct {
		Columns []struct{ Legend, DS string }
		Rows    [][]*float64
	}
	if err := json.Unmarshal(r.Body, &ser); err != nil || r.Code != 200 {
		t.Fatalf("series %d %v", r.Code, err)
	}
	col := -1
	for i, c := range ser.Columns {
		if c.Legend == "total" {
			col = i + 1
		}
	}
	var lastTotal *float64
	for _, row := range ser.Rows {
		if col > 0 && row[col] != nil {
			lastTotal = row[col]
		}
	}
	if n := st.rt.MustInt(t, "view.size", "", "main"); lastTotal == nil || *lastTotal != float64(n) {
		t.Errorf("series total %v, rTorrent has %d", deref(lastTotal), n)
	}
	// Host page: rTorrent's graphs come before the host's.
	page := string(get(t, st.sv.URL, "/host/stack").Body)
	if i, j := strings.Index(page, "rtorrent-main.items"), strings.Index(page, "load.load"); i < 0 || j < 0 || i > j {
		t.Errorf("host page order: rtorrent at %d, load at %d", i, j)
	}
	gp := get(t, st.sv.URL, "/host/stack/rtorrent-main.traffic?range=6h")
	for _, want := range []string{`data-left="`, `data-width="`, `data-start="`, "zoom out", "earlier", "later", "fmt=svg"} {
		if !bytes.Contains(gp.Body, []byte(want)) {
			t.Errorf("graph page lacks %q", want)
		}
	}
}

// concurrentRenders asks for 40 distinct graphs at once over HTTP (under
// -race in make test), more than the test server's render queue holds
// (32): every reply is an image of the asked size or a 503 with
// Retry-After, and a refused request succeeds when asked again.
func (st *stack) concurrentRenders(t *testing.T) {
	graphs := []string{"load.load", "memory.memory", "cpu-0.cpu", "interface-eth0.octets", "rtorrent-main.items", "rtorrent-main.traffic", "rtorrent-main.connections", "uptime.uptime"}
	url := func(i int) (string, int, int) {
		w, h := 300+20*(i%5), 150+10*(i%3)
		return fmt.Sprintf("/graph/stack/%s?range=%s&w=%d&h=%d", graphs[i%len(graphs)], []string{"1h", "6h"}[i%2], w, h), w, h
	}
	check := func(i int) int {
		path, w, h := url(i)
		r := get(t, st.sv.URL, path)
		if r.Code == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "" {
			return r.Code
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if r.Code != 200 || err != nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Errorf("%s: %d %v %.200s", path, r.Code, err, r.Body)
		}
		return r.Code
	}
	var wg sync.WaitGroup
	codes := make([]int, 40)
	for i := range codes {
		wg.Add(1)
		go func(i int) { defer wg.Done(); codes[i] = check(i) }(i)
	}
	wg.Wait()
	ok, busy := 0, 0
	for i, c := range codes {
		switch c {
		case 200:
			ok++
		case http.StatusServiceUnavailable:
			busy++
			if check(i) != 200 {
				t.Errorf("request %d refused again when alone", i)
			}
		}
	}
	if ok < 32 {
		t.Errorf("only %d of 40 concurrent renders served; the queue holds 32", ok)
	}
	t.Logf("40 concurrent distinct graphs: %d served, %d refused with 503 and served on retry", ok, busy)
}
