package graphs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// TestSeriesClampedToCoverage: ten years asked of files holding a day of
// 1-minute rows export at most w rows per line, starting where the
// archive does, and every DEF starts there too (librrd then allocates a
// day of rows, not ten years).
func TestSeriesClampedToCoverage(t *testing.T) {
	dir := t.TempDir()
	oldest := minuteFiles(t, dir, MaxLines, 1440)
	d := memoryGraph(t, dir)
	r := NewRenderer(nil, 1, 1<<20, nil)
	for _, w := range []int{query.MaxWidth, 500, query.MinWidth} {
		q := tenYears("png")
		q.Width = w
		s, err := r.Series(context.Background(), d, q)
		if err != nil {
			t.Fatalf("w=%d: %v", w, err)
		}
		if len(s.Columns) != MaxLines {
			t.Errorf("w=%d: %d columns, want %d", w, len(s.Columns), MaxLines)
		}
		if len(s.Rows) == 0 || len(s.Rows) > w {
			t.Errorf("w=%d: %d rows, want 1..%d", w, len(s.Rows), w)
		}
		if s.Start < oldest-int64(s.Step) || s.Start > oldest+int64(s.Step) {
			t.Errorf("w=%d: series starts at %d, want the archive's start %d (±%d s); asked %d", w, s.Start, oldest, s.Step, q.Start)
		}
		known := 0
		for _, row := range s.Rows {
			if row[1] != nil {
				known++
			}
		}
		if known == 0 {
			t.Errorf("w=%d: no known value left", w)
		}
	}
	for _, w := range []int{query.MaxWidth, query.MinWidth} {
		q := tenYears("png")
		q.Width = w
		args, err := r.Args(d, q)
		if err != nil {
			t.Fatal(err)
		}
		// The archive's start, or a few of the graph's steps before the
		// end when that is earlier (librrd needs whole steps).
		step := (q.End - q.Start + int64(w) - 1) / int64(w)
		want := fmt.Sprintf(":step=%d:start=%d:end=%d", step, min(oldest, q.End-minSteps*step), q.End)
		defs := 0
		for _, a := range args {
			if strings.HasPrefix(a, "DEF:") {
				defs++
				if !strings.HasSuffix(a, want) {
					t.Errorf("w=%d: DEF does not end in %s: %s", w, want, a)
				}
			}
		}
		if defs != MaxLines {
			t.Errorf("w=%d: %d DEFs, want %d", w, defs, MaxLines)
		}
	}
}

// TestLinesCapped: a stacked graph over n type instances draws at most
// MaxLines of them and says so in the legend (COMMENT, read back from
// librrd's graph info), in the title and in the series; just below, at
// and just past the cap, and the 1,500.
func TestLinesCapped(t *testing.T) {
	for _, n := range []int{MaxLines - 1, MaxLines, MaxLines + 1, 1500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			minuteFiles(t, dir, n, 1440)
			d := memoryGraph(t, dir)
			if len(d.Lines) != n {
				t.Fatalf("definition has %d lines, want %d", len(d.Lines), n)
			}
			r := NewRenderer(nil, 1, 1<<20, nil)
			want, omitted := min(n, MaxLines), max(0, n-MaxLines)
			q := tenYears("png")
			q.Width, q.Height = 1000, query.MaxHeight // room for the whole legend
			args, err := r.Args(d, q)
			if err != nil {
				t.Fatal(err)
			}
			defs := 0
			for _, a := range args {
				if strings.HasPrefix(a, "DEF:") {
					defs++
				}
			}
			if defs != want {
				t.Errorf("%d DEFs, want %d", defs, want)
			}
			res, err := rrd.Graph(args)
			if err != nil {
				t.Fatal(err)
			}
			legend := strings.Join(res.Legend, "\n")
			note := fmt.Sprintf("%d more lines not drawn: at most %d per graph", omitted, MaxLines)
			if got := strings.Contains(legend, note); got != (omitted > 0) {
				t.Errorf("legend has note %q: %v, want %v; legend:\n%s", note, got, omitted > 0, legend)
			}
			title := fmt.Sprintf("(first %d of %d lines)", want, n)
			if got := strings.Contains(strings.Join(args, "\n"), title); got != (omitted > 0) {
				t.Errorf("title says %q: %v, want %v", title, got, omitted > 0)
			}
			img, err := r.Render(context.Background(), d, q)
			if err != nil {
				t.Fatal(err)
			}
			if img.Omitted != omitted {
				t.Errorf("image omitted %d lines, want %d", img.Omitted, omitted)
			}
			s, err := r.Series(context.Background(), d, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Columns) != want || s.LinesOmitted != omitted || (omitted > 0) != (s.Note != "") {
				t.Errorf("series: %d columns, %d omitted, note %q; want %d, %d", len(s.Columns), s.LinesOmitted, s.Note, want, omitted)
			}
		})
	}
}

// TestPointsBound: a request whose fetches read just under MaxPoints
// values is drawn; one row per line more and it is refused with
// ErrTooMuchData before librrd allocates anything. The span asked is the
// archives' own, so the clamp does not help: only the bound does.
func TestPointsBound(t *testing.T) {
	// rows+2 rows per fetch: rrd_fetch rounds start down and end up.
	under := MaxPoints/MaxLines - 2
	for _, tc := range []struct {
		rows int
		ok   bool
	}{{under, true}, {under + 1, false}} {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			dir := t.TempDir()
			oldest := minuteFiles(t, dir, MaxLines, tc.rows)
			d := memoryGraph(t, dir)
			r := NewRenderer(nil, 1, 1<<20, nil)
			q := tenYears("png")
			q.Start, q.End = oldest, oldest+int64(tc.rows)*60 // the file's last update: no minute passes
			for _, call := range []func() error{
				func() error { _, err := r.Render(context.Background(), d, q); return err },
				func() error { _, err := r.Series(context.Background(), d, q); return err },
			} {
				err := call()
				if tc.ok && err != nil {
					t.Errorf("%d rows × %d lines: %v", tc.rows, MaxLines, err)
				}
				if !tc.ok && !errors.Is(err, ErrTooMuchData) {
					t.Errorf("%d rows × %d lines: err %v, want ErrTooMuchData", tc.rows, MaxLines, err)
				}
				if err != nil && strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
			}
		})
	}
}

// TestClampEdges: clamped DEFs still draw at every size and wherever the
// archive begins relative to the range: librrd refuses a DEF whose window
// holds no whole step of the graph ("SANITY CHECK: ... rows cannot be
// reduced"), which a window cut at the archive's start could be. A range
// entirely before the archive exports the asked range, all unknown.
func TestClampEdges(t *testing.T) {
	dir := t.TempDir()
	oldest := minuteFiles(t, dir, 3, 1440)
	d := memoryGraph(t, dir)
	r := NewRenderer(nil, 1, 0, nil)
	year := int64(366 * 86400)
	now := time.Now().Unix()
	for _, tc := range []struct {
		name       string
		start, end int64
	}{
		{"ten years", now - 10*year + 3600, now},
		{"before the archive", now - 10*year + 3600, now - 9*year},
		{"archive begins 30 s before the end", oldest + 30 - year, oldest + 30},
		{"archive begins 90 s before the end", oldest + 90 - year, oldest + 90},
		{"archive begins at the end", oldest - 3600, oldest},
		{"one hour", now - 3600, now},
		{"one minute", now - 60, now},
	} {
		for _, size := range [][2]int{{query.MinWidth, query.MinHeight}, {300, 130}, {800, 300}, {query.MaxWidth, query.MaxHeight}} {
			q := query.Request{Start: tc.start, End: tc.end, Width: size[0], Height: size[1], Format: "png", Theme: "light"}
			if _, err := r.Render(context.Background(), d, q); err != nil {
				t.Errorf("%s %dx%d: %v", tc.name, size[0], size[1], err)
			}
			s, err := r.Series(context.Background(), d, q)
			if err != nil {
				t.Errorf("%s %dx%d series: %v", tc.name, size[0], size[1], err)
				continue
			}
			if empty := tc.end <= oldest; empty != (len(s.Rows) == 0) || len(s.Rows) > size[0] || len(s.Columns) != 3 {
				t.Errorf("%s %dx%d series: %d rows, %d columns (no data in range: %v)", tc.name, size[0], size[1], len(s.Rows), len(s.Columns), empty)
			}
		}
	}
}

// TestHeaderFollowsRecreatedFile: the cached header of a file is read
// again when the file is made anew (new inode or size), so the clamp
// follows its new archives: a day of rows, then an hour.
func TestHeaderFollowsRecreatedFile(t *testing.T) {
	dir := t.TempDir()
	dayStart := minuteFiles(t, dir, 1, 1440)
	d := memoryGraph(t, dir)
	r := NewRenderer(nil, 1, 0, nil)
	q := tenYears("png")
	q.Width = 500
	s, err := r.Series(context.Background(), d, q)
	if err != nil {
		t.Fatal(err)
	}
	if s.Start < dayStart-int64(s.Step) || s.Start > dayStart+int64(s.Step) {
		t.Fatalf("series starts at %d, want %d", s.Start, dayStart)
	}
	other := t.TempDir()
	hourStart := minuteFiles(t, other, 1, 60)
	if err := os.Rename(filepath.Join(other, "box", "memory", "memory-x1.rrd"), d.Lines[0].File.Path()); err != nil {
		t.Fatal(err)
	}
	if s, err = r.Series(context.Background(), d, q); err != nil {
		t.Fatal(err)
	}
	if s.Start < hourStart-int64(s.Step) || s.Start > hourStart+int64(s.Step) {
		t.Errorf("after the file was made anew the series starts at %d, want %d (the old header's %d)", s.Start, hourStart, dayStart)
	}
}
