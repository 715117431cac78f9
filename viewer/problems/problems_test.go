package problems

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exec is a notification as collectd 5.12's exec plugin writes it.
func exec(sev, host, inst, ti, msg string, at float64) string {
	return fmt.Sprintf("Severity: %s\nTime: %.3f\nHost: %s\nPlugin: rtorrent\nPluginInstance: %s\nType: rtmon\nTypeInstance: %s\n\n%s\n",
		sev, at, host, inst, ti, msg)
}

func record(t *testing.T, dir, in string) {
	t.Helper()
	n, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := Record(dir, n, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestRecordAndClear: a FAILURE shows with when it began, a repeat keeps
// that start, the OKAY clears it; other hosts' problems stay.
func TestRecordAndClear(t *testing.T) {
	dir := t.TempDir()
	record(t, dir, exec("WARNING", "seedbox1", "seed", "scan", "item scan failed", 1000))
	record(t, dir, exec("FAILURE", "seedbox1", "seed", "scan", "worse", 1010))
	record(t, dir, exec("FAILURE", "seedbox2", "main", "reachable", "rTorrent unreachable: refused", 1005))
	list, skipped, err := List(dir, time.Unix(1020, 0))
	if err != nil || skipped != 0 || len(list) != 2 {
		t.Fatalf("List = %+v, %d, %v", list, skipped, err)
	}
	if p := list[0]; p.Host != "seedbox1" || p.Since != 1000 || p.Last != 1010 || p.Severity != "FAILURE" || p.Message != "worse" {
		t.Errorf("first problem %+v, want seedbox1 since 1000, last 1010, FAILURE", p)
	}
	record(t, dir, exec("OKAY", "seedbox1", "seed", "scan", "works", 1030))
	list, _, _ = List(dir, time.Unix(1040, 0))
	if len(list) != 1 || list[0].Host != "seedbox2" {
		t.Fatalf("after the OKAY: %+v, want only seedbox2", list)
	}
	// An OKAY for something never raised is fine.
	record(t, dir, exec("OKAY", "seedbox3", "x", "reachable", "ok", 1030))
}

// TestRestartExpires: a restart has no OKAY; it shows for RestartShown.
func TestRestartExpires(t *testing.T) {
	dir := t.TempDir()
	record(t, dir, exec("WARNING", "h", "seed", "restart", "rTorrent restarted", 1000))
	if l, _, _ := List(dir, time.Unix(1000, 0).Add(RestartShown-time.Second)); len(l) != 1 {
		t.Errorf("restart within RestartShown: %d problems, want 1", len(l))
	}
	if l, _, _ := List(dir, time.Unix(1000, 0).Add(RestartShown+2*time.Second)); len(l) != 0 {
		t.Errorf("restart past RestartShown: %d problems, want 0", len(l))
	}
}

// TestParseRefuses: each bound, and malformed input, is one error naming
// the field; just within each bound passes.
func TestParseRefuses(t *testing.T) {
	long := strings.Repeat("h", MaxName+1)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"host one past the bound", exec("FAILURE", long, "i", "t", "m", 1), "Host: 128 bytes"},
		{"newline-free control char", exec("FAILURE", "h\x1b[31m", "i", "t", "m", 1), "control character"},
		{"bad severity", exec("PANIC", "h", "i", "t", "m", 1), "Severity"},
		{"no severity", "Host: h\nPlugin: p\n\nm\n", "without a Severity"},
		{"no host", "Severity: OKAY\nPlugin: p\n\nm\n", "without Host"},
		{"bad time", "Severity: OKAY\nTime: soon\nHost: h\nPlugin: p\n\nm", "Time"},
		{"header without colon", "Severity OKAY\n\nm", "header line"},
		{"input one past the bound", exec("FAILURE", "h", "i", "t", strings.Repeat("m", MaxInput), 1), "longer than 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want one line containing %q", err, tc.want)
			}
		})
	}
	n, err := Parse(strings.NewReader(exec("FAILURE", strings.Repeat("h", MaxName), "i", "t", strings.Repeat("é", 400)+"\nsecond line", 1)))
	if err != nil || len(n.Message) > MaxMessage || strings.Contains(n.Message, "\n") {
		t.Errorf("names at the bound, long message: %v, message %d bytes", err, len(n.Message))
	}
}

// TestDirectoryBounds: Record refuses a new problem past MaxProblems (an
// update of an existing one still goes through); List skips files over
// its size bound and malformed ones, and never reads more than
// MaxProblems.
func TestDirectoryBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a thousand files")
	}
	dir := t.TempDir()
	for i := 0; i < MaxProblems; i++ {
		record(t, dir, exec("WARNING", fmt.Sprintf("h%d", i), "i", "t", "m", 1000))
	}
	n, _ := Parse(strings.NewReader(exec("WARNING", "one-too-many", "i", "t", "m", 1000)))
	if err := Record(dir, n, time.Now()); err == nil || !strings.Contains(err.Error(), "the most it may") {
		t.Errorf("problem %d: err = %v, want refused", MaxProblems+1, err)
	}
	record(t, dir, exec("FAILURE", "h7", "i", "t", "update", 1001))
	list, _, err := List(dir, time.Unix(1002, 0))
	if err != nil || len(list) != MaxProblems {
		t.Errorf("List: %d problems, %v; want %d", len(list), err, MaxProblems)
	}
	// Past the bound by hand (a valid problem): List reads MaxProblems
	// and says it skipped some.
	os.WriteFile(filepath.Join(dir, "extra.json"), []byte(`{"severity":"FAILURE","host":"extra","plugin":"p","message":"m","since":1,"last":1}`), 0o644)
	if list, skipped, _ := List(dir, time.Unix(1002, 0)); skipped == 0 || len(list) != MaxProblems {
		t.Errorf("directory over MaxProblems: %d problems, skipped %d; want %d and > 0", len(list), skipped, MaxProblems)
	}
}

func TestListSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	record(t, dir, exec("FAILURE", "h", "i", "reachable", "down", 1000))
	// Valid but for its size: padded with white space past maxFile.
	os.WriteFile(filepath.Join(dir, "big.json"), []byte(`{"severity":"FAILURE","host":"h","plugin":"p","message":"m"`+strings.Repeat(" ", maxFile)+`}`), 0o644)
	os.WriteFile(filepath.Join(dir, "garbage.json"), []byte(`not json`), 0o644)
	os.WriteFile(filepath.Join(dir, "longname.json"), []byte(`{"severity":"FAILURE","host":"`+strings.Repeat("x", MaxName+1)+`","plugin":"p"}`), 0o644)
	list, skipped, err := List(dir, time.Unix(1001, 0))
	if err != nil || len(list) != 1 || skipped != 3 {
		t.Errorf("List = %d problems, %d skipped, %v; want 1 and 3", len(list), skipped, err)
	}
	if l, _, err := List(filepath.Join(dir, "missing"), time.Now()); err != nil || len(l) != 0 {
		t.Errorf("missing directory: %v, %v", l, err)
	}
}

// BenchmarkList1000: the viewer lists the directory at every poll; this
// is its cost at the bound (1000 problems).
func BenchmarkList1000(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < MaxProblems; i++ {
		n, _ := Parse(strings.NewReader(exec("WARNING", fmt.Sprintf("h%d", i), "i", "t", strings.Repeat("m", 200), 1000)))
		if err := Record(dir, n, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if l, _, _ := List(dir, time.Unix(1001, 0)); len(l) != MaxProblems {
			b.Fatal(len(l))
		}
	}
}

// TestCache: a recorded or cleared problem shows at the next List; an
// unchanged directory is not read again (a file changed behind the
// directory's back shows only after Refresh).
func TestCache(t *testing.T) {
	dir := t.TempDir()
	c := &Cache{Dir: dir}
	now := time.Now()
	if l, _, _ := c.List(now); len(l) != 0 {
		t.Fatalf("empty directory: %v", l)
	}
	record(t, dir, exec("FAILURE", "h", "i", "reachable", "down", float64(now.Unix())))
	if l, _, _ := c.List(now.Add(time.Second)); len(l) != 1 {
		t.Fatalf("after Record: %d problems, want 1", len(l))
	}
	// Rewrite the file in place (the directory's mtime stays): cached.
	ents, _ := os.ReadDir(dir)
	path := filepath.Join(dir, ents[0].Name())
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"down"`, `"edited"`, 1)), 0o644)
	if l, _, _ := c.List(now.Add(2 * time.Second)); len(l) != 1 || l[0].Message != "down" {
		t.Fatalf("unchanged directory read again: %+v", l)
	}
	if l, _, _ := c.List(now.Add(2*time.Second + Refresh)); len(l) != 1 || l[0].Message != "edited" {
		t.Fatalf("after Refresh: %+v, want the edited message", l)
	}
	record(t, dir, exec("OKAY", "h", "i", "reachable", "up", float64(now.Unix())))
	if l, _, _ := c.List(now.Add(3*time.Second + Refresh)); len(l) != 0 {
		t.Fatalf("after the OKAY: %d problems, want 0", len(l))
	}
}
