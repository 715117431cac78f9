package reader

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTrackerDomain(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://tracker.example.org:6969/announce", "example.org"},
		{"https://www.example.org/a?passkey=x", "example.org"},
		{"udp://announce.example.net:80", "example.net"},
		{"http://tracker.localhost/announce", "tracker.localhost"},
		{"HTTP://Example.COM./announce", "example.com"},
		{"http://127.0.0.1:6969/announce", "127.0.0.1"},
		{"http://[::1]:6969/announce", "::1"},
		{"dht://abcdef", "abcdef"},
		{"dht://", ""},
		{"not a url", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := TrackerDomain(tt.url); got != tt.want {
			t.Errorf("TrackerDomain(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestDomainOfTrackers(t *testing.T) {
	v := []any{[]any{"dht://"}, []any{"http://tracker.a.org/announce"}, []any{"http://b.org/"}}
	if got := domainOfTrackers(v); got != "a.org" {
		t.Errorf("domainOfTrackers = %q, want the first usable one, a.org", got)
	}
	if got := domainOfTrackers([]any{}); got != NoTracker {
		t.Errorf("no trackers: %q, want %q", got, NoTracker)
	}
}

func TestLabel(t *testing.T) {
	for raw, want := range map[string]string{"": NoLabel, "tv%20shows": "tv shows", "movies": "movies", "bad%zz": "bad%zz"} {
		if got := label(raw); got != want {
			t.Errorf("label(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestEvents(t *testing.T) {
	var e eventCounter
	e.observe([]item{{hash: "A", state: true}, {hash: "B", state: true, complete: true}, {hash: "C"}})
	if e.counts != (Events{}) {
		t.Fatalf("first scan counted events: %+v", e.counts)
	}
	// A finishes, B stops, C starts and D arrives; then C is erased.
	e.observe([]item{{hash: "A", state: true, complete: true}, {hash: "B", complete: true}, {hash: "C", state: true}, {hash: "D"}})
	e.observe([]item{{hash: "A", state: true, complete: true}, {hash: "B", complete: true}, {hash: "D"}})
	want := Events{Inserted: 1, Erased: 1, Finished: 1, Started: 1, Stopped: 1}
	if e.counts != want {
		t.Errorf("events = %+v, want %+v", e.counts, want)
	}
	// The same state again counts nothing: finished is counted once.
	e.observe([]item{{hash: "A", state: true, complete: true}, {hash: "B", complete: true}, {hash: "D"}})
	if e.counts != want {
		t.Errorf("unchanged scan changed events: %+v", e.counts)
	}
}

func TestRatioBuckets(t *testing.T) {
	var b RatioBuckets
	for _, r := range []int64{0, 499, 500, 999, 1000, 1999, 2000, 4999, 5000, 123456} {
		b.add(r)
	}
	if b != (RatioBuckets{Below05: 2, To1: 2, To2: 2, To5: 2, Above5: 2}) {
		t.Errorf("buckets %+v", b)
	}
}

func TestScanGap(t *testing.T) {
	r := NewReader(nil, Options{LoadBudget: 0.01, MinScanInterval: 10 * time.Second, MaxScanInterval: 10 * time.Minute})
	tests := []struct{ took, want time.Duration }{
		{time.Millisecond, 10 * time.Second},       // cheap: the floor
		{500 * time.Millisecond, 50 * time.Second}, // 1% of wall time
		{20 * time.Second, 10 * time.Minute},       // the ceiling
	}
	for _, tt := range tests {
		if got := r.scanGap(tt.took); got != tt.want {
			t.Errorf("scanGap(%v) = %v, want %v", tt.took, got, tt.want)
		}
	}
}

func TestSummarizeGroups(t *testing.T) {
	r := NewReader(nil, Options{PerTracker: true, PerLabel: true})
	r.static = map[string]staticInfo{
		"A": {size: 100, files: 2, domain: "a.org", label: "tv"},
		"B": {size: 50, files: 1, domain: "a.org", label: NoLabel},
		"C": {size: 10, files: 1, domain: NoTracker, label: "tv"},
	}
	res := r.summarize([]item{
		{hash: "A", state: true, complete: true, upRate: 5, ratio: 2500, peers: 2},
		{hash: "B", state: true, left: 20, downRate: 7, message: true},
		{hash: "C", left: 10},
	})
	if res.active != 2 || res.messages != 1 || res.sizes != (Sizes{SizeBytes: 160, LeftBytes: 30, Files: 4, Completed: 130}) {
		t.Errorf("summary %+v", res)
	}
	if len(res.trackers) != 2 || res.trackers[0].Name != "a.org" || res.trackers[0].Items != 2 ||
		res.trackers[0].Seeding != 1 || res.trackers[0].Leeching != 1 || res.trackers[0].UpRate != 5 || res.trackers[0].DownRate != 7 {
		t.Errorf("trackers %+v", res.trackers)
	}
	if len(res.labels) != 2 || res.labels[1].Name != "tv" || res.labels[1].SizeBytes != 110 {
		t.Errorf("labels %+v", res.labels)
	}
}

func TestReadProc(t *testing.T) {
	root := t.TempDir()
	write := func(name, s string) {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stat", "cpu 1 2 3\nbtime 1700000000\n")
	write("meminfo", "MemTotal:       1000000 kB\n")
	write("42/comm", "rtorrent\n")
	// Fields 14/15 utime/stime 250/150 ticks, 20 threads 3, 22 starttime 1000 ticks, 23 vsize, 24 rss pages.
	write("42/stat", "42 (rtorrent main) S 1 42 42 0 -1 4194560 100 0 7 0 250 150 0 0 20 0 3 0 1000 409600000 2500 18446744073709551615")
	s, err := readProc(root, 42)
	if err != nil {
		t.Fatal(err)
	}
	if s.utime != 2.5 || s.stime != 1.5 || s.threads != 3 || s.startEpoch != 1700000010 || s.vsize != 409600000 || s.rssPages != 2500 || s.majflt != 7 {
		t.Errorf("sample %+v", s)
	}
	mt, _ := memTotal(root)
	prev := *s
	prev.at = s.at.Add(-2 * time.Second)
	prev.utime, prev.stime = 1.5, 1.5 // 1 s of CPU in 2 s of wall time
	p := s.process(&prev, mt)
	page := int64(os.Getpagesize())
	if p.CPUTime != 4 || p.PCPU == nil || *p.PCPU < 49 || *p.PCPU > 51 || p.RSS != 2500*page || p.SZ != 409600000/page {
		t.Errorf("process %+v pcpu %v", p, p.PCPU)
	}
	if want := 100 * float64(2500*page) / 1024000000; p.PMem != want {
		t.Errorf("pmem %v, want %v", p.PMem, want)
	}
	write("43/comm", "bash\n")
	if _, err := readProc(root, 43); err == nil {
		t.Error("a process that is not rtorrent was accepted")
	}
}
