package traffic

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// cliXport runs the rrdtool command's xport of one file's up and down over
// (from, to] at step and sums rate x the part of each row inside the
// range: ground truth from rrdtool itself, not from this package.
func cliXport(t *testing.T, file string, from, to, step int64) (up, down float64, gotStep int64) {
	t.Helper()
	out, err := exec.Command("rrdtool", "xport", "--start", fmt.Sprint(from), "--end", fmt.Sprint(to), "--step", fmt.Sprint(step),
		"--maxrows", "100000", "DEF:u="+file+":up:AVERAGE", "DEF:d="+file+":down:AVERAGE", "XPORT:u", "XPORT:d").Output()
	if err != nil {
		t.Fatalf("rrdtool xport: %v", err)
	}
	var x struct {
		Start int64 `xml:"meta>start"`
		Step  int64 `xml:"meta>step"`
		Rows  []struct {
			V []string `xml:"v"`
		} `xml:"data>row"`
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // ASCII only
	if err := dec.Decode(&x); err != nil {
		t.Fatalf("rrdtool xport output: %v", err)
	}
	// The command prints the end of the first row as start.
	for i, r := range x.Rows {
		end := x.Start + int64(i)*x.Step
		in := min(end, to) - max(end-x.Step, from)
		if in <= 0 {
			continue
		}
		for j, s := range r.V {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsNaN(v) {
				continue
			}
			if j == 0 {
				up += v * float64(in)
			} else {
				down += v * float64(in)
			}
		}
	}
	return up, down, x.Step
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

type fileSpec struct {
	ti   string
	seed int
}

var specs = []fileSpec{{"tracker_a.example.org", 0}, {"tracker_b.example.net", 1}, {"label_tv", 2}}

func fixture(t *testing.T) (string, int64, int64) {
	dir := t.TempDir()
	end := testNow.Unix()
	start := end - 400*86400
	for _, s := range specs {
		volumeFile(t, dir, "box", "main", s.ti, s.seed, start, end)
	}
	return dir, start, end
}

func build(t *testing.T, dir string, req Request) *Report {
	t.Helper()
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(context.Background(), ix, req, testNow, graphs.NewRenderer(nil, 1, 0, nil))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestDayTotalsEqualXport: today's and yesterday's totals of every file
// equal the rrdtool command's xport of the same archives (today from the
// 1-minute archive, yesterday at the 7-minute archive's step, whose rows
// the report's cut between the two archives does not split), and every
// period equals the bytes the fixture moved, exactly where the finest
// archive holds the range and within one coarse row at a boundary that
// falls inside a coarse row.
func TestDayTotalsEqualXport(t *testing.T) {
	testenv.Need(t, "rrdtool")
	dir, start, end := fixture(t)
	from, to := end-20*86400-3600, end-2*86400
	rep := build(t, dir, Request{Loc: time.UTC, Range: &Period{Name: "range", From: from, To: to}})
	if len(rep.Hosts) != 1 || len(rep.Hosts[0].Instances) != 1 {
		t.Fatalf("hosts %+v", rep.Hosts)
	}
	in := rep.Hosts[0].Instances[0]
	if len(in.Trackers) != 2 || len(in.Labels) != 1 || in.Trackers[0].Name != "a.example.org" || in.Labels[0].Name != "tv" {
		t.Fatalf("rows: trackers %+v labels %+v", in.Trackers, in.Labels)
	}
	names := []string{}
	for _, p := range rep.Periods {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "today,yesterday,week,month,year,range" {
		t.Fatalf("periods %v", names)
	}
	midnight := time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC).Unix()
	if p := rep.Periods[0]; p.From != midnight || p.To != end {
		t.Errorf("today %+v, want %d..%d", p, midnight, end)
	}
	if p := rep.Periods[2]; p.From != midnight-2*86400 { // Monday
		t.Errorf("week from %d, want %d", p.From, midnight-2*86400)
	}
	rows := append(append([]*Row{}, in.Trackers...), in.Labels...)
	for _, r := range rows {
		var seed int
		for _, s := range specs {
			if strings.HasSuffix(s.ti, r.Name) {
				seed = s.seed
			}
		}
		if r.Error != "" {
			t.Fatalf("%s: %s", r.Name, r.Error)
		}
		file := filepath.Join(dir, "box", r.File+".rrd")
		// today: one archive, the rrdtool command's sum, exactly.
		u, d, step := cliXport(t, file, midnight, end, 60)
		if c := r.Cells[0]; step != 60 || !near(c.Up, u, 1e-6*u) || !near(c.Down, d, 1e-6*d) {
			t.Errorf("%s today up %.0f down %.0f; rrdtool xport (step %d) %.0f %.0f", r.Name, c.Up, c.Down, step, u, d)
		}
		// yesterday: the 7-minute archive's rows, as rrdtool exports them.
		u, d, step = cliXport(t, file, midnight-86400, midnight, 420)
		if c := r.Cells[1]; step != 420 || !near(c.Up, u, 1e-6*u) || !near(c.Down, d, 1e-6*d) {
			t.Errorf("%s yesterday up %.0f down %.0f; rrdtool xport (step %d) %.0f %.0f", r.Name, c.Up, c.Down, step, u, d)
		}
		maxRate := rate(seed, false, 23*3600+6*86400)
		for i, p := range rep.Periods {
			c := r.Cells[i]
			coarse := c.Steps[len(c.Steps)-1]
			// A boundary inside a coarse row takes the row's share by
			// time: off by at most the rate's swing over one row.
			tol := 1e-6*c.Up + 0.0
			if p.From%coarse != 0 {
				tol += maxRate * float64(coarse)
			}
			ku := known(seed, false, start, end, p.From, min(p.To, end))
			t.Logf("%s %-9s up %14.0f fixture %14.0f diff %9.0f tolerance %9.0f steps %v", r.Name, p.Name, c.Up, ku, c.Up-ku, tol, c.Steps)
			if !near(c.Up, ku, tol) {
				t.Errorf("%s %s up %.0f, the fixture moved %.0f (steps %v, tolerance %.0f)", r.Name, p.Name, c.Up, ku, c.Steps, tol)
			}
			if kd := known(seed, true, start, end, p.From, min(p.To, end)); !near(c.Down, kd, tol) {
				t.Errorf("%s %s down %.0f, the fixture moved %.0f", r.Name, p.Name, c.Down, kd)
			}
			if c.Ratio == nil || !near(*c.Ratio, c.Up/c.Down, 1e-12) {
				t.Errorf("%s %s ratio %v", r.Name, p.Name, c.Ratio)
			}
		}
		if s := r.Cells[0].Steps; len(s) != 1 || s[0] != 60 {
			t.Errorf("%s today read at steps %v, want the 1-minute archive only", r.Name, s)
		}
		if s := r.Cells[4].Steps; len(s) < 3 || s[0] != 60 {
			t.Errorf("%s year read at steps %v, want the finest archive for the newest part and coarser ones before", r.Name, s)
		}
	}
	for i := range rep.Periods {
		var up float64
		for _, r := range in.Trackers {
			up += r.Cells[i].Up
		}
		if in.Total[i].Up != up || rep.Hosts[0].Total[i].Up != up {
			t.Errorf("period %d: total %v, host %v, trackers sum %v", i, in.Total[i].Up, rep.Hosts[0].Total[i].Up, up)
		}
	}
}

// TestSegments: the archives of collectd's default layout cut a year into
// contiguous parts, finest for the newest, and every cut lies on a row
// end of both archives it joins.
func TestSegments(t *testing.T) {
	last := testNow.Unix()
	hdr := &rrd.Header{Step: 60, LastUpdate: last, Archives: []rrd.Archive{
		{CF: "AVERAGE", Step: 60, Rows: 1440}, {CF: "AVERAGE", Step: 420, Rows: 1440}, {CF: "MAX", Step: 60, Rows: 1440},
		{CF: "AVERAGE", Step: 1860, Rows: 1440}, {CF: "AVERAGE", Step: 21960, Rows: 1440}}}
	for _, tc := range []struct {
		from, to int64
		steps    []int64
	}{
		{last - 3600, last, []int64{60}},
		{last - 86400*3, last, []int64{60, 420}},
		{last - 86400*20, last - 86400*10, []int64{1860}}, // before the 7-minute archive's week
		{last - 86400*20, last - 86400*2, []int64{420, 1860}},
		{last - 86400*300, last, []int64{60, 420, 1860, 21960}},
		{last - 86400*500, last - 86400*300, []int64{21960}}, // partly before every archive: what the coarsest keeps
		{last - 86400*800, last - 86400*700, nil},            // wholly before: nothing to read
	} {
		segs := segments(archives(hdr), tc.from, tc.to)
		var steps []int64
		end := tc.to
		for i, s := range segs {
			steps = append(steps, s.Step)
			if s.To != end || s.From >= s.To {
				t.Errorf("%d..%d: segment %d %+v does not continue at %d", tc.from, tc.to, i, s, end)
			}
			if i < len(segs)-1 && (s.From%s.Step != 0 || s.From%segs[i+1].Step != 0) {
				t.Errorf("%d..%d: cut %d is not a row end of steps %d and %d", tc.from, tc.to, s.From, s.Step, segs[i+1].Step)
			}
			end = s.From
		}
		if len(segs) > 0 && end != max(tc.from, archives(hdr)[3].oldest) {
			t.Errorf("%d..%d: segments end at %d", tc.from, tc.to, end)
		}
		if fmt.Sprint(steps) != fmt.Sprint(tc.steps) {
			t.Errorf("%d..%d: steps %v, want %v", tc.from, tc.to, steps, tc.steps)
		}
	}
}

// TestParseBounds: every parameter is checked, and a value just past
// each bound is refused.
func TestParseBounds(t *testing.T) {
	now := testNow
	ok := func(s string) url.Values { v, _ := url.ParseQuery(s); return v }
	day := int64(86400)
	n := now.Unix()
	for _, tc := range []struct {
		q    string
		want string // "" = accepted
	}{
		{"", ""},
		{"tz=Europe/Berlin", ""},
		{"tz=UTC", ""},
		{"tz=" + strings.Repeat("A", MaxTZLen), "no time zone"},
		{"tz=" + strings.Repeat("A", MaxTZLen+1), "tz must be"},
		{"tz=../../etc/passwd", "tz must be"},
		{"tz=Europe/Nowhere", "no time zone"},
		{"tz=UTC&tz=UTC", "more than once"},
		{"from=2026-03-01&to=2026-03-10", ""},
		{"from=2026-03-01", "together"},
		{"to=2026-03-01", "together"},
		{"from=2026-03-01&from=2026-03-02&to=2026-03-10", "more than once"},
		{"from=2026-02-30&to=2026-03-10", "epoch seconds or YYYY-MM-DD"},
		{"from=1234567890123&to=" + fmt.Sprint(n), "epoch seconds or YYYY-MM-DD"},
		{fmt.Sprintf("from=%d&to=%d", n-60, n), ""},
		{fmt.Sprintf("from=%d&to=%d", n-59, n), "at least 60 s"},
		{fmt.Sprintf("from=%d&to=%d", n-int64(10*366*day), n), ""},
		{fmt.Sprintf("from=%d&to=%d", n-int64(10*366*day)-1, n), "at most"},
		{fmt.Sprintf("from=%d&to=%d", n-int64(30*366*day)-1, n-int64(30*366*day)+3600), "from is out of range"},
		{fmt.Sprintf("from=%d&to=%d", n, n+day), ""},
		{fmt.Sprintf("from=%d&to=%d", n, n+day+1), "to is out of range"},
	} {
		r, err := ParseRequest(ok(tc.q), now, time.UTC)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.q, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadParam)):
			t.Errorf("%q: error %v, want %q", tc.q, err, tc.want)
		case tc.want != "" && (strings.Contains(err.Error(), "passwd") || strings.Count(err.Error(), "bad parameter") != 1):
			t.Errorf("%q: the error quotes the request: %v", tc.q, err)
		}
		if tc.q == "from=2026-03-01&to=2026-03-10" && err == nil {
			if r.Range.From != time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix() || r.Range.To != time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC).Unix() {
				t.Errorf("dates %+v: to must be the end of its day", r.Range)
			}
		}
	}
}

// TestMaxFiles: MaxFiles volume files are summed, one more is refused
// before any is read.
func TestMaxFiles(t *testing.T) {
	testenv.Need(t, "rrdtool")
	dir := t.TempDir()
	var script strings.Builder
	pdir := filepath.Join(dir, "box", "rtorrent-main")
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < MaxFiles; i++ {
		fmt.Fprintf(&script, "create %s/rtorrent_volume-label_l%03d.rrd --start %d --step 60 DS:up:DERIVE:600:0:U DS:down:DERIVE:600:0:U RRA:AVERAGE:0.1:1:10\n",
			pdir, i, testNow.Unix()-3600)
	}
	cmd := exec.Command("rrdtool", "-")
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "ERROR") {
		t.Fatalf("rrdtool: %v %.500s", err, out)
	}
	rep := build(t, dir, Request{Loc: time.UTC})
	if n := len(rep.Hosts[0].Instances[0].Labels); n != MaxFiles {
		t.Fatalf("%d rows, want %d", n, MaxFiles)
	}
	for _, r := range rep.Hosts[0].Instances[0].Labels {
		if r.Error != "" || len(r.Cells) != 5 {
			t.Fatalf("%s: %q %d cells", r.Name, r.Error, len(r.Cells))
		}
	}
	collectdCopy(t, filepath.Join(pdir, "rtorrent_volume-label_l000.rrd"), filepath.Join(pdir, "rtorrent_volume-label_more.rrd"))
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), ix, Request{Loc: time.UTC}, testNow, graphs.NewRenderer(nil, 1, 0, nil))
	if !errors.Is(err, ErrTooManyFiles) {
		t.Fatalf("%d files: %v, want ErrTooManyFiles", MaxFiles+1, err)
	}
	// One instance of them is still too many; another host is not counted.
	if _, err = Build(context.Background(), ix, Request{Loc: time.UTC, Host: "nope"}, testNow, graphs.NewRenderer(nil, 1, 0, nil)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown host: %v", err)
	}
}

func collectdCopy(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUnreadableFile: a volume file that is not an RRD file is its row's
// error, counted in rows_failed, and the other rows are summed.
func TestUnreadableFile(t *testing.T) {
	testenv.Need(t, "rrdtool")
	dir, _, _ := fixture(t)
	bad := filepath.Join(dir, "box", "rtorrent-main", "rtorrent_volume-tracker_broken.rrd")
	if err := os.WriteFile(bad, []byte("RRD\x00 but truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := build(t, dir, Request{Loc: time.UTC})
	in := rep.Hosts[0].Instances[0]
	if in.Failed != 1 {
		t.Errorf("rows_failed %d, want 1", in.Failed)
	}
	var sum float64
	for _, r := range in.Trackers {
		if r.Name == "broken" {
			if r.Error == "" || len(r.Cells) != 0 {
				t.Errorf("broken row: error %q, %d cells", r.Error, len(r.Cells))
			}
			continue
		}
		sum += r.Cells[0].Up
	}
	if sum == 0 || in.Total[0].Up != sum {
		t.Errorf("total %v, readable rows %v", in.Total[0].Up, sum)
	}
}

// TestLabelsOnly: without tracker files (PerTracker off) the instance
// total is the labels' sum, and says so.
func TestLabelsOnly(t *testing.T) {
	testenv.Need(t, "rrdtool")
	dir := t.TempDir()
	end := testNow.Unix()
	volumeFile(t, dir, "box", "main", "label_tv", 0, end-3*86400, end)
	volumeFile(t, dir, "box", "main", "label_none", 1, end-3*86400, end)
	rep := build(t, dir, Request{Loc: time.UTC})
	in := rep.Hosts[0].Instances[0]
	want := in.Labels[0].Cells[1].Up + in.Labels[1].Cells[1].Up
	if in.TotalOf != "labels" || want == 0 || in.Total[1].Up != want || rep.Hosts[0].Total[1].Up != want {
		t.Errorf("total of %q: %v, host %v, labels sum %v", in.TotalOf, in.Total[1].Up, rep.Hosts[0].Total[1].Up, want)
	}
}
