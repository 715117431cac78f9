package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

// Offsets added to rTorrent's traffic totals in every reply: an idle
// rTorrent's totals are near zero, and a false zero from a failed read
// shows only against totals that are not.
const upOffset, downOffset = 5_000_000_000, 7_000_000_000

// TestBadRepliesKeepArchive: collectd with the plugin reads a real
// rTorrent through a proxy that, for a while, breaks replies: single
// sensors fault or answer the wrong type, a scan row is malformed, then
// every call faults. Afterwards the RRD files still hold the values
// archived before, no false zero was stored for the item count, and the
// traffic counters show no spike when the replies are good again.
func TestBadRepliesKeepArchive(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tor := testenv.FakeTorrents(4, "http://127.0.0.1:1/announce", "e2e-bad")
	rt.LoadRaw(t, testenv.Metas(tor[:2]), true)
	rt.LoadRaw(t, testenv.Metas(tor[2:]), false)
	rt.WaitItems(t, 4, 20*time.Second)
	items := float64(rt.MustInt(t, "view.size", "", "main"))

	proxy := testenv.StartTamperProxy(t, rt)
	var phase atomic.Int32 // 0 good, 1 single sensors broken, 2 every call faults
	proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		p := phase.Load()
		if p == 2 {
			return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
		}
		switch m {
		case "throttle.global_up.total":
			if p == 1 {
				return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
			}
			return add(v, upOffset), f
		case "throttle.global_down.total":
			if p == 1 {
				return "12abc", nil
			}
			return add(v, downOffset), f
		case "view.size":
			if p == 1 && len(args) == 2 && args[1] == "main" {
				return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
			}
		case "throttle.global_up.rate":
			if p == 1 {
				return []any{int64(1)}, nil
			}
		case "d.multicall2":
			if rows, ok := v.([]any); p == 1 && ok && len(rows) > 0 && len(args) == 16 { // "", "main" and the 14 scan fields
				if row, ok := rows[0].([]any); ok && len(row) > 3 {
					row[3] = "fast"
				}
			}
		}
		return v, f
	})

	c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", proxy.URL), "MinScanInterval 1", "MaxScanInterval 2")))
	oneSecondSteps(t, c)
	c.startForeground(t)
	ids := []string{"rtorrent-main/count-items_total", "rtorrent-main/if_octets", "rtorrent-main/rtorrent_rate-up"}

	// Phase 0: good replies, archived.
	first := c.waitUpdate(t, ids[0], time.Now(), 20*time.Second)
	if first.Values["value"] != items {
		t.Fatalf("items_total %v, rTorrent has %v", first.Values, items)
	}
	u := c.waitUpdate(t, ids[1], time.Now(), 10*time.Second)
	if u.Values["tx"] < upOffset || u.Values["rx"] < downOffset {
		t.Fatalf("if_octets %v, want the totals with their offsets", u.Values)
	}
	time.Sleep(4 * time.Second) // a few archived seconds (the test's point is what stays of them)
	phase0End := time.Now().Add(-time.Second)
	c.waitUpdate(t, ids[0], phase0End, 10*time.Second)
	before := fetchSeconds(t, c.File(ids[0]), first.Time, phase0End)
	if known(before, 0) < 2 {
		t.Fatalf("only %d archived seconds of items_total before the bad replies: %v\nrrdtool refused: %q",
			known(before, 0), before, c.logLines("warning", "rrdtool plugin", "/"+ids[0]+".rrd", "minimum one second step"))
	}

	// Phase 1: single sensors broken. Phase 2: every call faults.
	phase.Store(1)
	c.waitLog(t, 15*time.Second, "warning", "throttle.global_up.total")
	time.Sleep(3 * time.Second)
	phase.Store(2)
	c.waitLog(t, 15*time.Second, "error", `instance "main": cannot read rTorrent`)
	time.Sleep(2 * time.Second)
	phase.Store(0)
	c.waitLog(t, 15*time.Second, "notice", `instance "main": rTorrent at`, "answers again")
	back := time.Now()
	c.waitUpdate(t, ids[1], back.Add(2*time.Second), 15*time.Second)
	end := time.Now().Add(-time.Second)
	c.waitUpdate(t, ids[0], end, 10*time.Second)
	c.waitUpdate(t, ids[2], end, 10*time.Second)

	if !c.running() {
		t.Fatal("collectd died")
	}
	t.Run("log", func(t *testing.T) {
		for _, want := range []string{"throttle.global_up.total", "throttle.global_down.total", "view.size", "throttle.global_up.rate", "d.up.rate"} {
			lines := c.logLines("warning", `rtorrent plugin: instance "main"`, want)
			if len(lines) == 0 {
				t.Errorf("no warning names %s", want)
			}
			for _, l := range lines {
				t.Logf("%s", l)
			}
		}
		if l := c.logLines("error", "panic"); len(l) > 0 {
			t.Errorf("panic: %v", l)
		}
		// Two reads in one whole second make rrdtool refuse the later
		// one and drop the rest of its cached batch: archived seconds lost.
		if l := c.logLines("warning", "rrdtool plugin", "/rtorrent-main/", "minimum one second step"); len(l) > 0 {
			t.Errorf("rrdtool refused the plugin's updates:\n%s", strings.Join(l, "\n"))
		}
		if n := len(c.logLines("error", `instance "main": cannot read rTorrent`)); n != 1 {
			t.Errorf("%d errors for the outage, want 1", n)
		}
	})
	t.Run("earlier values kept", func(t *testing.T) {
		after := fetchSeconds(t, c.File(ids[0]), first.Time, phase0End)
		if len(after) != len(before) {
			t.Fatalf("%d rows before, %d after", len(before), len(after))
		}
		for i, r := range before {
			if v := r.Values[0]; !math.IsNaN(v) && fmt.Sprint(after[i]) != fmt.Sprint(r) {
				t.Errorf("archived second changed: before %v, after %v", r, after[i])
			}
		}
	})
	t.Run("no false zero", func(t *testing.T) {
		rows := fetchSeconds(t, c.File(ids[0]), first.Time, end)
		for _, r := range rows {
			if v := r.Values[0]; !math.IsNaN(v) && v != items {
				t.Errorf("%v: items_total %v archived, rTorrent had %v all along", r.Time.Format(time.TimeOnly), v, items)
			}
		}
		if known(rows, 0) <= known(before, 0) {
			t.Errorf("no items_total archived after the bad replies: %v", rows)
		}
	})
	t.Run("no spike", func(t *testing.T) {
		// rTorrent is idle: its real rates are zero; the stored rates may
		// be unknown across the outage but never jump.
		rows := fetchSeconds(t, c.File(ids[1]), first.Time, end)
		for _, r := range rows {
			for i, v := range r.Values {
				if !math.IsNaN(v) && v > 1e6 {
					t.Errorf("%v: if_octets DS %d rate %v bytes/s archived, rTorrent moved nothing", r.Time.Format(time.TimeOnly), i, v)
				}
			}
		}
		last, err := lastUpdate(c.File(ids[1]))
		if err != nil {
			t.Fatal(err)
		}
		up := float64(rt.MustInt(t, "throttle.global_up.total") + upOffset)
		if tx := last.Values["tx"]; tx != up {
			t.Errorf("stored tx counter %v, want rTorrent's total %v: the counter must go on where it was", tx, up)
		}
		rates := fetchSeconds(t, c.File(ids[2]), first.Time, end)
		for _, r := range rates {
			if v := r.Values[0]; !math.IsNaN(v) && v != 0 {
				t.Errorf("%v: up rate %v archived, rTorrent moved nothing", r.Time.Format(time.TimeOnly), v)
			}
		}
	})
}

// add adds n to an integer reply.
func add(v any, n int64) any {
	if x, ok := v.(int64); ok {
		return x + n
	}
	return v
}

// oneSecondSteps makes the staged rrdtool snippet archive every second for
// an hour (the shipped one steps 60 s), so a test of a few seconds sees
// each value that was stored.
func oneSecondSteps(t *testing.T, c *Collectd) {
	t.Helper()
	path := filepath.Join(collectdconf.NewLayout(c.Dir).ConfD, "rrdtool.conf")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		switch f := strings.Fields(l); {
		case len(f) == 2 && f[0] == "StepSize":
			l = "  StepSize 1"
		case len(f) == 2 && f[0] == "HeartBeat":
			l = "  HeartBeat 5"
		case len(f) == 2 && f[0] == "RRARows":
			l = "  RRARows 3600"
		case len(f) == 2 && f[0] == "RRATimespan":
			if f[1] != "86400" {
				continue
			}
			l = "  RRATimespan 3600"
		}
		out = append(out, l)
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fetchSeconds returns the one-second AVERAGE rows of file between two
// times, from rrdtool fetch.
func fetchSeconds(t *testing.T, file string, from, to time.Time) []Row {
	t.Helper()
	_, rows := rrdFetch(t, file, "-r", "1", "-s", strconv.FormatInt(from.Unix(), 10), "-e", strconv.FormatInt(to.Unix(), 10))
	return rows
}

// known counts the rows whose DS i is known.
func known(rows []Row, i int) int {
	n := 0
	for _, r := range rows {
		if i < len(r.Values) && !math.IsNaN(r.Values[i]) {
			n++
		}
	}
	return n
}

// TestBadConfigValues: more broken <Instance> blocks through collectd's own
// parser: values of the wrong type, a block where a value belongs, values
// out of range, a duplicate name, a stray option. collectd keeps running
// (the plugin checks its block at init and never fails it: a bad instance
// costs itself only); each bad instance gets one error line naming it and
// the option; the good instance and collectd's own plugins archive.
//
// What collectd itself refuses (a syntax error, such as an option without
// a value) stops it at start with its own parse error, before any plugin
// runs: the last subtest shows that.
func TestBadConfigValues(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	url := fmt.Sprintf("URL %q", rt.URL)
	bad := []struct {
		inst, body string
		want       []string
	}{
		{"timeoutstring", url + "\n    Timeout \"5\"", []string{"option Timeout", `got "5"`}},
		{"timeouttiny", url + "\n    Timeout 0.0000001", []string{"option Timeout", "above 0"}},
		{"twovalues", url + "\n    LoadBudget 1 2", []string{"option LoadBudget takes exactly one value"}},
		// An empty block with a value is an option to collectd (the same
		// oconfig item); one with something inside is not.
		{"block", url + "\n    <PerTracker true>\n      Inner 1\n    </PerTracker>", []string{"option PerTracker takes exactly one value"}},
		{"boolnumber", url + "\n    PeerFlags 1", []string{"option PeerFlags", "true or false"}},
		{"urlnumber", "URL 5", []string{"option URL", "quoted string"}},
		{"capzero", url + "\n    MaxReplyMB 0", []string{"option MaxReplyMB"}},
		{"userscgi", url + "\n    Username \"u\"", []string{"Username/Password apply to http(s)"}},
		{"dupopt", url + "\n    url \"scgi:///x.sock\"", []string{"option url given twice"}},
	}
	var blocks []string
	for _, b := range bad {
		blocks = append(blocks, instance(b.inst, b.body))
	}
	blocks = append(blocks, instance("good", url), instance("good", `URL "scgi:///elsewhere.sock"`))
	c := newCollectdDir(t, pluginBlock(blocks...)+"<Plugin rtorrent>\n  Frobnicate 1\n</Plugin>\n")
	c.startForeground(t)
	u := c.waitUpdate(t, "rtorrent-good/count-items_total", time.Now(), 20*time.Second)
	if u.Values["value"] != float64(rt.MustInt(t, "view.size", "", "main")) {
		t.Errorf("good instance items_total %v", u.Values)
	}
	c.waitUpdate(t, "load/load", time.Now(), 10*time.Second)
	if !c.running() {
		t.Fatal("collectd stopped")
	}
	for _, b := range bad {
		lines := c.logLines("error", fmt.Sprintf(`rtorrent plugin: instance %q skipped`, b.inst))
		if len(lines) != 1 {
			t.Errorf("instance %s: %d errors, want exactly one", b.inst, len(lines))
			continue
		}
		for _, w := range b.want {
			if !strings.Contains(lines[0], w) {
				t.Errorf("instance %s: error lacks %q: %s", b.inst, w, lines[0])
			}
		}
		if _, err := os.Stat(filepath.Join(c.DataDir, host, "rtorrent-"+b.inst)); !os.IsNotExist(err) {
			t.Errorf("rtorrent-%s has files although it was skipped", b.inst)
		}
	}
	for _, want := range []string{`instance "good": defined twice`, `unknown option "Frobnicate" in <Plugin rtorrent>`} {
		if n := len(c.logLines("error", "rtorrent plugin: ", want)); n != 1 {
			t.Errorf("%d errors with %q, want 1", n, want)
		}
	}
	if l := c.logLines("error", "rtorrent plugin"); len(l) != len(bad)+2 {
		t.Errorf("%d plugin errors, want %d:\n%s", len(l), len(bad)+2, strings.Join(l, "\n"))
	}

	t.Run("syntax error stops collectd", func(t *testing.T) {
		d := newCollectdDir(t, pluginBlock(instance("main", url, "Timeout")))
		out, err := testenv.RunCollectd(t, nil, "-T", "-C", d.Conf)
		if err == nil {
			t.Fatalf("collectd -T accepted an option without a value:\n%s", out)
		}
		if !strings.Contains(strings.ToLower(string(out)+d.logText()), "parse") {
			t.Errorf("no parse error in collectd's output:\n%s", out)
		}
		t.Logf("collectd -T: %v: %s", err, strings.TrimSpace(string(out)))
	})
}
