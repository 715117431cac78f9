package reader_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/plugin/dispatch"
)

// Bad replies from rTorrent: a real rTorrent answers every call through
// testenv.TamperProxy, which breaks one thing at a time (a fault, a value
// of the wrong type, a short row). Each must give a one-line sub-error or
// error naming the instance and the method, never a panic, and never a
// value that was not read: what the mapping would dispatch is either the
// real value or nothing.

// badStack is one rTorrent with a few idle items behind a tamper proxy,
// shared by the tests of this file.
type badStack struct {
	rt    *testenv.RTorrent
	proxy *testenv.TamperProxy
	items int64
}

var (
	badOnce  sync.Once
	badShare *badStack
)

const badItems = 6

func startBadStack(t *testing.T) *badStack {
	t.Helper()
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tor := testenv.FakeTorrents(badItems, "http://127.0.0.1:1/announce", "badinput")
	rt.LoadRaw(t, testenv.Metas(tor[:badItems/2]), true)
	rt.LoadRaw(t, testenv.Metas(tor[badItems/2:]), false)
	rt.WaitItems(t, badItems, 20*time.Second)
	return &badStack{rt: rt, proxy: testenv.StartTamperProxy(t, rt), items: badItems}
}

func (b *badStack) reader(t *testing.T, opt reader.Options) *reader.Reader {
	t.Helper()
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: b.proxy.URL, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return reader.NewReader(c, opt)
}

// values maps a snapshot the way the plugin dispatches it: identifier ->
// values, for the fast-tier metrics whose value does not move on an idle
// rTorrent (uptime and the process figures do).
func values(s *reader.Snapshot) map[string][]float64 {
	out := map[string][]float64{}
	for _, smp := range dispatch.Samples(s, dispatch.Options{PerTracker: true, PerLabel: true, PeerFlags: true}) {
		if smp.Metric.Tier == catalogue.TierProc || smp.Metric == catalogue.Uptime {
			continue
		}
		out[smp.Metric.Type+"-"+smp.TypeInstance] = smp.Values
	}
	return out
}

// fastIDs are the identifiers of the fast tier's metrics fed by a method
// (and view), from the catalogue's Source column.
func fastIDs(method string, args []any) map[string]bool {
	ids := map[string]bool{}
	src := method
	if method == "view.size" && len(args) == 2 {
		src = fmt.Sprintf("view.size %q %v", args[0], args[1])
	}
	for _, m := range catalogue.All() {
		if m.Tier == catalogue.TierFast && strings.Contains(m.Source, src) {
			ids[m.Type+"-"+m.TypeInstance] = true
		}
	}
	return ids
}

func checkOneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || len(msg) > 1024 {
		t.Errorf("error not one short line: %.300q", msg)
	}
	for _, w := range append([]string{`rtorrent "main"`}, want...) {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

// wrongValues are what a broken sub-call returns instead of an integer.
var wrongValues = []struct {
	name string
	v    any
}{
	{"string", "12abc"},
	{"array", []any{int64(1)}},
	{"struct", map[string]any{"value": int64(1)}},
	{"huge double", testenv.RawXML("<double>1e300</double>")},
	{"NaN double", testenv.RawXML("<double>nan</double>")},
	{"empty", testenv.RawXML("")},
}

// TestFastTierBadSubcalls: each sub-call of the fast tier faults or
// returns a wrong type, one at a time. The read goes on, a sub-error names
// the method, the metrics fed by it are not dispatched (rather than a
// made-up zero), and every other fast-tier value is the real one.
func TestFastTierBadSubcalls(t *testing.T) {
	b := startBadStack(t)
	b.proxy.Set(nil)
	clean, err := b.reader(t, reader.DefaultOptions()).ReadFast(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if clean.Items.Total != b.rt.MustInt(t, "view.size", "", "main") || clean.Items.Started != b.rt.MustInt(t, "view.size", "", "started") {
		t.Fatalf("clean read: items %+v, rTorrent has %d", clean.Items, b.items)
	}
	want := values(clean)
	// The fast tier's sub-calls, as the plugin makes them.
	type call struct {
		method string
		args   []any
	}
	var calls []call
	b.proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		calls = append(calls, call{m, args})
		return v, f
	})
	r := b.reader(t, reader.DefaultOptions())
	if _, err := r.ReadFast(context.Background()); err != nil {
		t.Fatal(err)
	}
	var fast []call
	for _, c := range calls {
		if len(fastIDs(c.method, c.args)) > 0 {
			fast = append(fast, c)
		}
	}
	if len(fast) < 20 {
		t.Fatalf("found %d fast-tier sub-calls (%v), want the globals and the view sizes", len(fast), calls)
	}
	type breakage struct {
		name string
		v    any
		f    *testenv.Fault
	}
	breaks := []breakage{{name: "fault", f: &testenv.Fault{Code: -501, String: "Unsupported target type found."}}}
	for _, w := range wrongValues {
		breaks = append(breaks, breakage{name: w.name, v: w.v})
	}
	for _, c := range fast {
		for _, br := range breaks {
			t.Run(fmt.Sprint(c.method, c.args, "/", br.name), func(t *testing.T) {
				b.proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
					if m == c.method && fmt.Sprint(args) == fmt.Sprint(c.args) {
						return br.v, br.f
					}
					return v, f
				})
				defer b.proxy.Set(nil)
				r := b.reader(t, reader.DefaultOptions())
				s, err := r.ReadFast(context.Background())
				if err != nil {
					t.Fatalf("read failed as a whole: %v", err)
				}
				errs := r.SubErrors()
				if len(errs) != 1 {
					t.Fatalf("sub-errors %v, want exactly one", errs)
				}
				checkOneLine(t, errs[0], c.method)
				broken := fastIDs(c.method, c.args)
				got := values(s)
				for id, w := range want {
					g, ok := got[id]
					switch {
					case broken[id] && ok:
						t.Errorf("%s dispatched as %v although %s failed", id, g, c.method)
					case !broken[id] && !ok:
						t.Errorf("%s not dispatched, want %v", id, w)
					case !broken[id] && fmt.Sprint(g) != fmt.Sprint(w):
						t.Errorf("%s = %v, want %v", id, g, w)
					}
				}
			})
		}
	}
}

// TestScanBadReplies: the item scan and the static fetch fault or return
// malformed rows. A whole failed call keeps the previous scan's values; a
// malformed row is skipped and named; no row's wrong field is read as a
// zero.
func TestScanBadReplies(t *testing.T) {
	b := startBadStack(t)
	b.proxy.Set(nil)
	r := b.reader(t, reader.DefaultOptions())
	good, err := r.Read(context.Background(), true)
	if err != nil || good.Scan == nil {
		t.Fatalf("clean read: %v, scan %v", err, good.Scan)
	}
	if good.Scan.Items != int(b.items) || good.Sizes == nil || good.Sizes.SizeBytes == 0 {
		t.Fatalf("clean scan: %+v sizes %+v", good.Scan, good.Sizes)
	}
	isScan := func(m string, args []any) bool {
		return m == "d.multicall2" && len(args) > 2 && fmt.Sprint(args[2]) == "d.hash=" && len(args) == 16 // "", "main" and the 14 scan fields
	}
	row := func(v any, i int) []any {
		rows, _ := v.([]any)
		if i < len(rows) {
			f, _ := rows[i].([]any)
			return f
		}
		return nil
	}
	for _, tc := range []struct {
		name   string
		tamper func(v any) any
		whole  bool   // the whole call fails: the previous values stay
		want   string // in the sub-error
	}{
		{"not an array", func(v any) any { return "x" }, true, "d.multicall2"},
		{"a struct", func(v any) any { return map[string]any{} }, true, "d.multicall2"},
		{"short row", func(v any) any {
			f := row(v, 0)
			v.([]any)[0] = f[:len(f)-1]
			return v
		}, false, "d.multicall2"},
		{"row not an array", func(v any) any { v.([]any)[1] = "row"; return v }, false, "d.multicall2"},
		{"hash not a string", func(v any) any { row(v, 0)[0] = int64(5); return v }, false, "d.multicall2"},
		{"rate a string", func(v any) any { row(v, 0)[3] = "fast"; return v }, false, "d.up.rate"},
		{"left bytes an array", func(v any) any { row(v, 0)[6] = []any{int64(1)}; return v }, false, "d.left_bytes"},
		{"message an integer", func(v any) any { row(v, 0)[7] = int64(1); return v }, false, "d.message"},
		{"ratio a huge double", func(v any) any { row(v, 0)[8] = testenv.RawXML("<double>1e300</double>"); return v }, false, "d.ratio"},
		{"peers a struct", func(v any) any { row(v, 0)[9] = map[string]any{}; return v }, false, "d.peers_connected"},
		{"fault", nil, true, "fault -501"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.proxy.Set(nil)
			prev, err := r.Read(context.Background(), true)
			if err != nil || len(r.SubErrors()) > 0 || fmt.Sprint(prev.Sizes, prev.Scan.Items) != fmt.Sprint(good.Sizes, good.Scan.Items) {
				t.Fatalf("clean read before: %v %v %+v", err, r.SubErrors(), prev.Scan)
			}
			b.proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
				if !isScan(m, args) {
					return v, f
				}
				if tc.tamper == nil {
					return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
				}
				return tc.tamper(v), f
			})
			defer b.proxy.Set(nil)
			s, err := r.Read(context.Background(), true)
			if err != nil {
				t.Fatalf("read failed as a whole: %v", err)
			}
			errs := r.SubErrors()
			if len(errs) != 1 {
				t.Fatalf("sub-errors %v, want exactly one", errs)
			}
			checkOneLine(t, errs[0], tc.want)
			if s.Items.Total != prev.Items.Total || s.Scan == nil || s.Sizes == nil {
				t.Fatalf("fast tier %+v, scan %+v: want the fast tier and scan fields", s.Items, s.Scan)
			}
			switch {
			case tc.whole:
				// The previous scan's values, untouched.
				if *s.Sizes != *prev.Sizes || s.Scan.Items != prev.Scan.Items || *s.Items.Messages != *prev.Items.Messages {
					t.Errorf("after a failed scan: sizes %+v items %d, want the previous %+v %d", *s.Sizes, s.Scan.Items, *prev.Sizes, prev.Scan.Items)
				}
			default:
				// One row skipped: one item fewer, and its size not counted
				// as zero-sized or with made-up fields.
				if s.Scan.Items != good.Scan.Items-1 {
					t.Errorf("scan items %d, want %d (the malformed row skipped)", s.Scan.Items, good.Scan.Items-1)
				}
				if s.Sizes.SizeBytes >= good.Sizes.SizeBytes || s.Sizes.SizeBytes <= 0 {
					t.Errorf("size %d after skipping a row, want below %d", s.Sizes.SizeBytes, good.Sizes.SizeBytes)
				}
				if *s.Items.Active != 0 || *s.Peers != (reader.Peers{}) || s.Ratios.Above5 != 0 {
					t.Errorf("a wrong field was read as a value: active %d peers %+v ratios %+v", *s.Items.Active, *s.Peers, *s.Ratios)
				}
			}
		})
	}
}

// TestEveryMethodFaults: every method the plugin calls, one at a time,
// answers with a fault. No panic; a failing fast tier or method list is
// an error naming the method; anything else is a sub-error naming it.
func TestEveryMethodFaults(t *testing.T) {
	b := startBadStack(t)
	// Every method a read with a scan makes, first with all items new
	// (the static fields come in one d.multicall2), then with one new item
	// (per-hash calls in a system.multicall).
	b.proxy.Set(nil)
	r := b.reader(t, reader.DefaultOptions())
	start := len(b.proxy.Methods())
	if _, err := r.Read(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	extra := testenv.FakeTorrents(1, "http://127.0.0.1:1/announce", "badinput-extra")
	b.rt.LoadRaw(t, testenv.Metas(extra), false)
	b.rt.WaitItems(t, badItems+1, 20*time.Second)
	if _, err := r.Read(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var methods []string
	for _, m := range b.proxy.Methods()[start:] {
		m = strings.TrimPrefix(m, "system.multicall/")
		if !seen[m] {
			seen[m] = true
			methods = append(methods, m)
		}
	}
	for _, must := range []string{"system.listMethods", "system.multicall", "system.client_version", "view.size", "d.multicall2", "d.size_bytes", "d.custom1", "t.multicall"} {
		if !seen[must] {
			t.Fatalf("a read did not call %s; calls: %v", must, methods)
		}
	}
	for _, method := range methods {
		t.Run(method, func(t *testing.T) {
			// Once on a fresh reader, faulting from its first read (the
			// method list, identity, views and the first scan), once on a
			// reader with a good scan behind it and a new item (the per-hash
			// static calls). Each read that called the method says so.
			called := 0
			for _, warm := range []bool{false, true} {
				b.proxy.Set(nil)
				r := b.reader(t, reader.DefaultOptions())
				if warm {
					if _, err := r.Read(context.Background(), true); err != nil {
						t.Fatal(err)
					}
					had := b.rt.MustInt(t, "view.size", "", "main")
					more := testenv.FakeTorrents(1, "http://127.0.0.1:1/announce", "badinput-"+method)
					b.rt.LoadRaw(t, testenv.Metas(more), false)
					b.rt.WaitItems(t, int(had)+1, 20*time.Second)
				}
				n := b.rt.MustInt(t, "view.size", "", "main")
				before := len(b.proxy.Methods())
				b.proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
					if m == method {
						return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
					}
					return v, f
				})
				s, err := r.Read(context.Background(), true)
				b.proxy.Set(nil)
				if !calledIn(b.proxy.Methods()[before:], method) {
					continue
				}
				called++
				if err != nil {
					checkOneLine(t, err, method)
					continue
				}
				errs := r.SubErrors()
				found := false
				for _, e := range errs {
					checkOneLine(t, e)
					found = found || strings.Contains(e.Error(), method)
				}
				if !found {
					t.Errorf("warm %v: no sub-error names %s: %v", warm, method, errs)
				}
				if _, ok := values(s)["count-items_total"]; ok && s.Items.Total != n {
					t.Errorf("warm %v: items_total %d, rTorrent has %d", warm, s.Items.Total, n)
				}
			}
			if called == 0 {
				t.Errorf("neither read called %s", method)
			}
		})
	}
}

func calledIn(log []string, method string) bool {
	for _, m := range log {
		if m == method || m == "system.multicall/"+method {
			return true
		}
	}
	return false
}

// TestHugeScanReply: 100,000 items, each with a 200-character d.message,
// in one scan reply (about 60 MB of XML). The reply cap or the decoder
// deals with it: either every item is counted, or the scan fails with a
// sub-error naming the cap; the fast tier is read either way. Time and
// memory are measured in BenchmarkHugeScanReply.
func TestHugeScanReply(t *testing.T) {
	b := startBadStack(t)
	for _, maxReply := range []int64{0, 16 << 20} {
		t.Run(fmt.Sprint("cap ", maxReply>>20, " MiB"), func(t *testing.T) {
			b.proxy.Set(hugeScan(100000, 200))
			defer b.proxy.Set(nil)
			c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: b.proxy.URL, Timeout: 2 * time.Minute, MaxReplyBytes: maxReply})
			if err != nil {
				t.Fatal(err)
			}
			r := reader.NewReader(c, reader.Options{PerTracker: false, PerLabel: false, PeerFlags: false})
			s, err := r.Read(context.Background(), true)
			if err != nil {
				t.Fatalf("read failed as a whole: %v", err)
			}
			if s.Items.Total != b.rt.MustInt(t, "view.size", "", "main") {
				t.Errorf("fast tier items_total %d", s.Items.Total)
			}
			limit := maxReply
			if limit == 0 {
				limit = rtorrent.DefaultMaxReply
			}
			size := c.Stats().LastRecv
			errs := r.SubErrors()
			if s.Scan == nil {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), "reply larger than") {
					t.Fatalf("no scan, sub-errors %v; want one naming the reply cap", errs)
				}
				checkOneLine(t, errs[0], "item scan")
				t.Logf("cap %d: %v", limit, errs[0])
				return
			}
			if size > limit || s.Scan.Items != 100000 || *s.Items.Messages != 100000 {
				t.Errorf("scan of a %d-byte reply (cap %d): %d items, %d with messages; want 100000 each", size, limit, s.Scan.Items, *s.Items.Messages)
			}
			t.Logf("cap %d: %d items from a %d-byte reply", limit, s.Scan.Items, s.Scan.ReplyBytes)
		})
	}
}

// hugeScan replaces the item scan's reply with n rows, each with a
// message of msgLen characters (and a hash of its own), and passes the
// static fetch's rows for the real items.
func hugeScan(n, msgLen int) testenv.Tamper {
	return func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		if m != "d.multicall2" || len(args) != 16 { // "", "main" and the 14 scan fields
			return v, f
		}
		msg := strings.Repeat("Tracker: [Failure reason \"unregistered torrent\"] ", msgLen/50+1)[:msgLen]
		rows := make([]any, n)
		for i := range rows {
			rows[i] = []any{fmt.Sprintf("%040X", i), int64(1), int64(0), int64(0), int64(0), int64(0), int64(1 << 20),
				msg, int64(1500), int64(0), int64(0), int64(0), int64(0), int64(0)}
		}
		return rows, nil
	}
}

// TestLabelReReadBadReplies: the periodic re-read of every label answers
// with a fault, or with a malformed row. The scan stands, one clear
// sub-error says what happened, labels keep their last good values, and
// the next clean re-read shows the relabel.
func TestLabelReReadBadReplies(t *testing.T) {
	b := startBadStack(t)
	hashes := b.rt.MustCall(t, "download_list", "", "main").([]any)
	for _, h := range hashes {
		b.rt.MustCall(t, "d.custom1.set", h, "a")
	}
	opt := reader.DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval, opt.MaxScanInterval = 1, time.Millisecond, 100*time.Millisecond
	r := b.reader(t, opt)
	labels := func() (map[string]int64, *reader.Snapshot) {
		t.Helper()
		time.Sleep(opt.MaxScanInterval + 10*time.Millisecond) // the re-read is due
		s, err := r.Read(context.Background(), true)
		if err != nil || s.Scan == nil || !s.Scan.Full {
			t.Fatalf("read: %v, scan %+v", err, s.Scan)
		}
		got := map[string]int64{}
		for _, g := range s.Labels {
			got[g.Name] = g.Items
		}
		return got, s
	}
	if got, _ := labels(); got["a"] != b.items || len(got) != 1 || len(r.SubErrors()) > 0 {
		t.Fatalf("labels %v, sub-errors %v; want all %d under a", got, r.SubErrors(), b.items)
	}
	b.rt.MustCall(t, "d.custom1.set", hashes[0], "b")
	isLabels := func(m string, args []any) bool {
		return m == "d.multicall2" && len(args) == 4 && fmt.Sprint(args[3]) == "d.custom1="
	}
	for _, tc := range []struct {
		name   string
		tamper func(v any) any // nil: a fault
		want   string
	}{
		{"fault", nil, "fault -501"},
		{"not an array", func(any) any { return "x" }, "want an array"},
		{"hash not a string", func(v any) any { v.([]any)[0].([]any)[0] = int64(5); return v }, "1 of"},
		{"label an integer", func(v any) any { v.([]any)[0].([]any)[1] = int64(5); return v }, "1 of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := 0
			b.proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
				if !isLabels(m, args) {
					return v, f
				}
				seen++
				if tc.tamper == nil {
					return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
				}
				return tc.tamper(v), f
			})
			defer b.proxy.Set(nil)
			got, s := labels()
			if seen == 0 {
				t.Fatal("no label re-read went through the proxy")
			}
			errs := r.SubErrors()
			if len(errs) != 1 {
				t.Fatalf("sub-errors %v, want exactly one", errs)
			}
			checkOneLine(t, errs[0], "labels", tc.want)
			if s.Scan.Items != int(b.items) || s.Sizes == nil {
				t.Errorf("scan %+v: want the scan to stand", s.Scan)
			}
			if got["a"]+got["b"] != b.items || got["a"] < b.items-1 {
				t.Errorf("labels %v: want the last good ones (all a), or b for the one relabelled item", got)
			}
		})
	}
	b.proxy.Set(nil)
	if got, _ := labels(); got["a"] != b.items-1 || got["b"] != 1 {
		t.Errorf("after a clean re-read: labels %v, want one item under b", got)
	}
}
