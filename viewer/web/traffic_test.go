package web

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/traffic"
)

// hostileLabel is a label whose name is markup: the page must show it as
// text.
const hostileLabel = `<img src=x onerror=alert(1)>"'`

// trafficDataDir makes volume files as collectd's rrdtool plugin would
// (60 s step, the shipped archives), updated every 60 s over the last two
// days at a constant rate per file: rates[i] bytes/s up, a third down.
func trafficDataDir(t *testing.T) (dir string, names []string, rates []float64) {
	t.Helper()
	testenv.Need(t, "rrdtool")
	dir = t.TempDir()
	end := time.Now().Unix() / 60 * 60
	start := end - 2*86400
	pdir := filepath.Join(dir, "box", "rtorrent-main")
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		t.Fatal(err)
	}
	names = []string{"tracker_" + catalogue.Escape("a.example.org"), "tracker_" + catalogue.Escape("b.example.net"),
		"label_" + catalogue.Escape("tv"), "label_" + catalogue.Escape(hostileLabel)}
	rates = []float64{5000, 800, 3000, 1200}
	var script strings.Builder
	for i, n := range names {
		path := filepath.Join(pdir, "rtorrent_volume-"+n+".rrd")
		fmt.Fprintf(&script, "create %s --start %d --step 60 DS:up:DERIVE:120:0:U DS:down:DERIVE:120:0:U RRA:AVERAGE:0.1:1:1440 RRA:AVERAGE:0.1:7:1440 RRA:AVERAGE:0.1:31:1440 RRA:AVERAGE:0.1:366:1440\n", path, start-1)
		for ts, k := start, 0; ts <= end; ts, k = ts+60, k+1 {
			if k%500 == 0 {
				if k > 0 {
					script.WriteString("\n")
				}
				script.WriteString("update " + path)
			}
			fmt.Fprintf(&script, " %d:%.0f:%.0f", ts, rates[i]*float64(ts-start), rates[i]/3*float64(ts-start))
		}
		script.WriteString("\n")
	}
	cmd := exec.Command("rrdtool", "-")
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "ERROR") {
		t.Fatalf("rrdtool: %v %.800s", err, out)
	}
	return dir, names, rates
}

// xportSum is the rrdtool command's xport of a file's up over (from, to]
// at 60 s, summed as rate x seconds inside the range.
func xportSum(t *testing.T, file string, from, to int64) float64 {
	t.Helper()
	out := collectdenv.Rrdtool(t, "xport", "--start", fmt.Sprint(from), "--end", fmt.Sprint(to), "--step", "60", "--maxrows", "100000",
		"DEF:u="+file+":up:AVERAGE", "XPORT:u")
	var x struct {
		Start int64    `xml:"meta>start"`
		Step  int64    `xml:"meta>step"`
		V     []string `xml:"data>row>v"`
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&x); err != nil {
		t.Fatalf("xport: %v", err)
	}
	var sum float64
	for i, s := range x.V {
		end := x.Start + int64(i)*x.Step // the command prints each row's end
		in := min(end, to) - max(end-x.Step, from)
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsNaN(v) && in > 0 {
			sum += v * float64(in)
		}
	}
	return sum
}

// TestTrafficPage: /json/traffic's day totals equal the rrdtool command's
// xport of the same files; the page shows the same figures, escapes the
// names, and its script sorts the table (headless Chromium); every
// parameter is bounded.
func TestTrafficPage(t *testing.T) {
	dir, _, rates := trafficDataDir(t)
	sv := startServer(t, serverOptions{DataDir: dir})

	r := get(t, sv.URL, "/json/traffic?tz=UTC")
	if r.Code != 200 {
		t.Fatalf("/json/traffic = %d %s", r.Code, r.Body)
	}
	var rep traffic.Report
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.TZ != "UTC" || rep.Zone != "UTC +00:00" || len(rep.Periods) != 5 || len(rep.Hosts) != 1 || len(rep.Hosts[0].Instances) != 1 {
		t.Fatalf("report %s", r.Body)
	}
	in := rep.Hosts[0].Instances[0]
	if len(in.Trackers) != 2 || len(in.Labels) != 2 {
		t.Fatalf("rows %s", r.Body)
	}
	today := rep.Periods[0]
	if mid := time.Unix(today.From, 0).UTC(); mid.Hour() != 0 || mid.Minute() != 0 || today.To-today.From > 86400 {
		t.Errorf("today %+v does not start at midnight UTC", today)
	}
	if today.To-today.From < 120 {
		t.Skip("too close to midnight UTC for a day total (run again in two minutes)")
	}
	byName := map[string]*traffic.Row{}
	for _, row := range append(append([]*traffic.Row{}, in.Trackers...), in.Labels...) {
		byName[row.Name] = row
		file := filepath.Join(dir, "box", row.File+".rrd")
		want := xportSum(t, file, today.From, today.To)
		if got := row.Cells[0].Up; want == 0 || math.Abs(got-want) > 1e-6*want {
			t.Errorf("%s: today up %.0f, rrdtool xport %.0f", row.Name, got, want)
		}
		if ratio := row.Cells[0].Ratio; ratio == nil || math.Abs(*ratio-3) > 1e-3 {
			t.Errorf("%s: ratio %v, want 3", row.Name, ratio)
		}
	}
	if byName[hostileLabel] == nil {
		t.Errorf("the markup label is not a row: %s", r.Body)
	}
	if want := (rates[0] + rates[1]) * 86400; math.Abs(in.Total[1].Up-want) > 1e-6*want {
		t.Errorf("yesterday's instance total %.0f, the trackers moved %.0f", in.Total[1].Up, want)
	}

	// The page: same figures, names as text, sorted by its script.
	testenv.Need(t, "chromium")
	for _, tc := range []struct {
		sort string
		less func(a, b *traffic.Row) bool
	}{
		{"today.up:asc", func(a, b *traffic.Row) bool { return a.Cells[0].Up < b.Cells[0].Up }},
		{"today.up:desc", func(a, b *traffic.Row) bool { return a.Cells[0].Up > b.Cells[0].Up }},
		{"name:desc", func(a, b *traffic.Row) bool { return strings.ToLower(a.Name) > strings.ToLower(b.Name) }},
	} {
		dom := chromium(t, "--virtual-time-budget=3000", "--dump-dom", sv.URL+"/traffic?tz=UTC#sort="+tc.sort)
		if strings.Contains(dom, "<img src=\"x\"") || strings.Contains(dom, "<img src=x") || !strings.Contains(dom, ">&lt;img src=x onerror=alert(1)&gt;\"'</td>") {
			t.Fatalf("the label's markup is not shown as text")
		}
		if !strings.Contains(dom, `data-sorted="`+tc.sort+`"`) {
			t.Errorf("#sort=%s: table not sorted by the script", tc.sort)
		}
		var order []string
		for _, m := range regexp.MustCompile(`<tr data-row="([^"]*)"`).FindAllStringSubmatch(dom, -1) {
			order = append(order, htmlUnescape(m[1]))
		}
		rows := append(append([]*traffic.Row{}, in.Trackers...), in.Labels...)
		sort.SliceStable(rows, func(i, j int) bool { return tc.less(rows[i], rows[j]) })
		var want []string
		for _, row := range rows {
			want = append(want, row.Group+":"+row.Name)
		}
		if strings.Join(order, "|") != strings.Join(want, "|") {
			t.Errorf("#sort=%s: rows %q, want %q", tc.sort, order, want)
		}
		cells := regexp.MustCompile(`<tr data-row="([^"]*)">\s*<td data-field="name"[^>]*>[^<]*</td><td[^>]*>[^<]*</td>\s*<td class="bytes" data-field="today.up" data-value="([0-9]+)" title="[^"]*">([^<]*)</td>`).FindAllStringSubmatch(dom, -1)
		for _, m := range regexp.MustCompile(`data-field="today.ratio" data-value="([^"]*)">([^<]*)<`).FindAllStringSubmatch(dom, -1) {
			if v, err := strconv.ParseFloat(m[1], 64); err != nil || math.Abs(v-3) > 1e-3 || m[2] != "3.00" {
				t.Errorf("#sort=%s: today's ratio shows %q (%q), want 3.00", tc.sort, m[2], m[1])
			}
		}
		if n := strings.Count(dom, `data-field="today.ratio"`); n != len(rows)+1 {
			t.Errorf("#sort=%s: %d ratio cells, want %d", tc.sort, n, len(rows)+1)
		}
		if len(cells) != len(rows) {
			t.Errorf("#sort=%s: %d rows with a readable today.up, want %d", tc.sort, len(cells), len(rows))
		}
		for _, m := range cells {
			name := htmlUnescape(m[1])
			_, name, _ = strings.Cut(name, ":")
			row := byName[name]
			if row == nil || m[2] != strconv.FormatFloat(row.Cells[0].Up, 'f', 0, 64) || !strings.HasSuffix(m[3], "iB") {
				t.Errorf("#sort=%s: row %q shows today.up %s (%s), /json/traffic has %v", tc.sort, name, m[2], m[3], row)
			}
		}
	}
	if n := strings.Count(chromium(t, "--virtual-time-budget=3000", "--dump-dom", sv.URL+"/traffic"), `data-field="today.up"`); n != 5 {
		t.Errorf("%d today.up cells, want 4 rows and the total", n)
	}

	if os.Getenv("RTMON_SCREENSHOTS") == "1" {
		file, _ := filepath.Abs(filepath.Join("..", "..", "docs", "screenshots", "traffic-1440.png"))
		chromium(t, "--virtual-time-budget=3000", "--hide-scrollbars", "--window-size=1440,700", "--screenshot="+file, sv.URL+"/traffic?tz=UTC#sort=today.up:desc")
		if fi, err := os.Stat(file); err != nil || fi.Size() < 10000 {
			t.Errorf("screenshot %s: %v", file, err)
		}
	}

	// Each row's graph link leads to a graph.
	g := get(t, sv.URL, "/host/box/"+in.Trackers[0].Graph+"?range=1d")
	if g.Code != 200 || !bytes.Contains(g.Body, []byte("a.example.org traffic")) {
		t.Errorf("graph page of %s = %d %.300s", in.Trackers[0].Graph, g.Code, g.Body)
	}

	now := time.Now().Unix()
	for _, tc := range []struct {
		q    string
		code int
	}{
		{fmt.Sprintf("?from=%d&to=%d", now-10*366*86400, now), 200},
		{fmt.Sprintf("?from=%d&to=%d", now-10*366*86400-1, now), 400},
		{"?from=2026-01-01", 400},
		{"?from=2026-01-01&from=2026-01-02&to=2026-02-01", 400},
		{"?tz=" + strings.Repeat("A", traffic.MaxTZLen+1), 400},
		{"?tz=Mars/Olympus", 400},
		{"?host=nope", 404},
		{"?host=box&instance=nope", 404},
		{"?host=box&instance=main&from=2026-01-01&to=2026-01-31&tz=Europe/Berlin", 200},
	} {
		for _, p := range []string{"/json/traffic", "/traffic"} {
			if r := get(t, sv.URL, p+tc.q); r.Code != tc.code {
				t.Errorf("%s%s = %d, want %d: %.200s", p, tc.q, r.Code, tc.code, r.Body)
			}
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&").Replace(s)
}
