package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/graphs"
)

// minuteDataDir is a DataDir whose host "box" has n memory-xN files
// holding only one 1-minute archive of rows rows, as in the issue's
// attack (a network peer makes collectd create any number of type
// instances). One file is made with rrdtool and copied. It returns the
// time the archive begins and the file's last update.
func minuteDataDir(t *testing.T, n, rows int) (dir string, oldest, last int64) {
	t.Helper()
	dir = t.TempDir()
	mdir := filepath.Join(dir, "box", "memory")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	last = now - now%60
	tmpl := filepath.Join(t.TempDir(), "t.rrd")
	collectdenv.Rrdtool(t, "create", tmpl, "--start", fmt.Sprint(last-120), "--step", "60",
		"DS:value:GAUGE:120:0:U", fmt.Sprintf("RRA:AVERAGE:0.5:1:%d", rows))
	collectdenv.Rrdtool(t, "update", tmpl, fmt.Sprintf("%d:1", last-60), fmt.Sprintf("%d:2", last))
	b, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(mdir, fmt.Sprintf("memory-x%d.rrd", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, last - int64(rows)*60, last
}

type seriesReply struct {
	Start        int64        `json:"start"`
	Step         int64        `json:"step"`
	LinesOmitted *int         `json:"lines_omitted"`
	Note         string       `json:"note"`
	Columns      []any        `json:"columns"`
	Rows         [][]*float64 `json:"rows"`
}

func getSeries(t *testing.T, base, query string) (reply, seriesReply) {
	t.Helper()
	r := get(t, base, "/api/series?host=box&graph=memory.memory&"+query)
	var s seriesReply
	if r.Code == http.StatusOK {
		if err := json.Unmarshal(r.Body, &s); err != nil {
			t.Fatalf("series JSON: %v", err)
		}
	}
	return r, s
}

// TestAttackSeriesTenYears is the request: start=now-10y, w=4000
// on files holding a day of 1-minute rows. The table starts where the
// archive does (not ten years back, which made librrd allocate 5.3
// million rows per line) and has at most w rows.
func TestAttackSeriesTenYears(t *testing.T) {
	dir, oldest, _ := minuteDataDir(t, 3, 1440)
	sv := startServer(t, serverOptions{DataDir: dir})
	now := time.Now().Unix()
	for _, w := range []int{4000, 300} {
		r, s := getSeries(t, sv.URL, fmt.Sprintf("start=%d&end=%d&w=%d", now-10*366*86400+3600, now, w))
		if r.Code != http.StatusOK {
			t.Fatalf("w=%d: %d %s", w, r.Code, r.Body)
		}
		if len(s.Rows) == 0 || len(s.Rows) > w {
			t.Errorf("w=%d: %d rows, want 1..%d", w, len(s.Rows), w)
		}
		if s.Start < oldest-s.Step || s.Start > oldest+s.Step {
			t.Errorf("w=%d: starts at %d, want the archive's start %d ± %d s", w, s.Start, oldest, s.Step)
		}
	}
}

// TestAttackLinesCap: a stacked graph over n type instances draws at
// most graphs.MaxLines and says how many it left out, in a header of the
// image and in the series; at the cap, just past it and the issue's
// 1,500.
func TestAttackLinesCap(t *testing.T) {
	for _, n := range []int{graphs.MaxLines, graphs.MaxLines + 1, 1500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir, _, _ := minuteDataDir(t, n, 1440)
			sv := startServer(t, serverOptions{DataDir: dir})
			want, omitted := min(n, graphs.MaxLines), max(0, n-graphs.MaxLines)
			img := get(t, sv.URL, "/graph/box/memory.memory?range=1h&w=800&h=2000")
			if img.Code != http.StatusOK {
				t.Fatalf("image: %d %s", img.Code, img.Body)
			}
			if got := img.Header.Get("X-Graph-Lines-Omitted"); got != fmt.Sprint(omitted) {
				t.Errorf("X-Graph-Lines-Omitted %q, want %d", got, omitted)
			}
			r, s := getSeries(t, sv.URL, "range=1h")
			if r.Code != http.StatusOK {
				t.Fatalf("series: %d %s", r.Code, r.Body)
			}
			if len(s.Columns) != want || s.LinesOmitted == nil || *s.LinesOmitted != omitted || (omitted > 0) != strings.Contains(s.Note, "not drawn") {
				t.Errorf("series: %d columns, lines_omitted %v, note %q; want %d columns, %d omitted", len(s.Columns), s.LinesOmitted, s.Note, want, omitted)
			}
		})
	}
}

// TestAttackPointsBound: MaxLines files whose archives hold just under
// graphs.MaxPoints values in all are drawn; one row more per file and
// the image and the series are refused with 422 and one line saying
// what to do, before librrd allocates anything.
func TestAttackPointsBound(t *testing.T) {
	under := graphs.MaxPoints/graphs.MaxLines - 2 // rrd_fetch adds a row at each end
	for _, tc := range []struct {
		rows int
		code int
	}{{under, http.StatusOK}, {under + 1, http.StatusUnprocessableEntity}} {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			dir, oldest, last := minuteDataDir(t, graphs.MaxLines, tc.rows)
			sv := startServer(t, serverOptions{DataDir: dir})
			span := fmt.Sprintf("start=%d&end=%d", oldest, last)
			for _, path := range []string{"/graph/box/memory.memory?w=400&h=200&" + span, "/api/series?host=box&graph=memory.memory&" + span} {
				r := get(t, sv.URL, path)
				if r.Code != tc.code {
					t.Errorf("%s: %d, want %d: %.200s", path, r.Code, tc.code, r.Body)
					continue
				}
				if tc.code != http.StatusOK {
					msg := strings.TrimSpace(string(r.Body))
					if !strings.Contains(msg, "shorter span") || strings.Count(msg, "\n") > 0 {
						t.Errorf("%s: body %q: want one line asking for a shorter span", path, msg)
					}
				}
			}
		})
	}
}
