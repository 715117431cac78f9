package traffic

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// testNow is the clock of the fixtures: a Wednesday afternoon, so that
// the week reaches past the 1-day archive, the month past the 7-day one
// and the year past the 31-day one.
var testNow = time.Date(2026, 3, 18, 15, 37, 0, 0, time.UTC)

// collectdRRAs are the archives of the shipped collectd.conf.d/rrdtool.conf
// (StepSize 60, RRARows 1440, RRATimespan 1 d, 7 d, 31 d, 366 d, XFF 0.1):
// what collectd's rrdtool plugin creates for a DERIVE type.
var collectdRRAs = []string{"RRA:AVERAGE:0.1:1:1440", "RRA:AVERAGE:0.1:7:1440", "RRA:AVERAGE:0.1:31:1440", "RRA:AVERAGE:0.1:366:1440",
	"RRA:MIN:0.1:1:1440", "RRA:MAX:0.1:1:1440"}

// updateEvery is how often the fixture's counters are updated; the rate
// is constant within each such interval, so the bytes moved over any
// range on its boundaries are known exactly.
const updateEvery = 300

// rate is the fixture's rate (bytes/s) in the interval ending at t:
// varying by hour of day and by day, different per file (seed) and
// direction.
func rate(seed int, down bool, t int64) float64 {
	r := float64(int64(1000*(seed+1)) + 37*((t/3600)%24) + 11*((t/86400)%7))
	if down {
		r = r/3 + 5
	}
	return r
}

// known is the ground truth: the bytes the fixture moved in (from, to].
func known(seed int, down bool, start, end, from, to int64) float64 {
	var b float64
	for t := start + updateEvery; t <= end; t += updateEvery {
		lo, hi := max(t-updateEvery, from), min(t, to)
		if hi > lo {
			b += rate(seed, down, t) * float64(hi-lo)
		}
	}
	return b
}

// volumeFile makes DataDir/host/rtorrent-inst/rtorrent_volume-<inst>.rrd
// as collectd would (DS up and down, DERIVE, heartbeat 120 s... but with
// updates every 300 s, so a heartbeat of 600 s), filled from start to
// end with the counters of rate(seed).
func volumeFile(t testing.TB, datadir, host, inst, typeInstance string, seed int, start, end int64) string {
	t.Helper()
	testenv.Need(t, "rrdtool")
	path := filepath.Join(datadir, host, "rtorrent-"+inst, "rtorrent_volume-"+typeInstance+".rrd")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"create", path, "--start", fmt.Sprint(start - 1), "--step", "60",
		"DS:up:DERIVE:600:0:U", "DS:down:DERIVE:600:0:U"}, collectdRRAs...)
	collectdenv.Rrdtool(t, args...)
	var script strings.Builder
	var up, down float64
	batch := 0
	for ts := start; ts <= end; ts += updateEvery {
		if ts > start {
			up += rate(seed, false, ts) * updateEvery
			down += rate(seed, true, ts) * updateEvery
		}
		if batch == 0 {
			script.WriteString("update " + path)
		}
		fmt.Fprintf(&script, " %d:%.0f:%.0f", ts, up, down)
		if batch++; batch == 400 {
			script.WriteString("\n")
			batch = 0
		}
	}
	script.WriteString("\n")
	cmd := exec.Command("rrdtool", "-")
	cmd.Stdin = strings.NewReader(script.String())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "ERROR") {
		t.Fatalf("rrdtool updates of %s: %v\n%.2000s", path, err, out)
	}
	return path
}
