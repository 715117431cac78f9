package datadir

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestLastUpdateMatchesRrdtool: the last update read from the header in
// Go is the one `rrdtool last` prints, for files of one and several data
// sources and archives, before and after updates.
func TestLastUpdateMatchesRrdtool(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		defs []string
	}{
		{"one", []string{"DS:value:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:100"}},
		{"several", []string{"DS:rx:DERIVE:20:0:U", "DS:tx:DERIVE:20:0:U",
			"RRA:AVERAGE:0.5:1:100", "RRA:MIN:0.5:6:50", "RRA:MAX:0.5:6:50"}},
	} {
		path := filepath.Join(dir, tc.name+".rrd")
		run(t, append([]string{"create", path, "--start", "1700000000", "--step", "10"}, tc.defs...)...)
		for _, at := range []int64{0, 1700000010, 1700000123} {
			if at != 0 {
				vals := strings.Repeat(":1", len(tc.defs)-countPrefix(tc.defs, "RRA:"))
				run(t, "update", path, fmt.Sprint(at)+vals)
			}
			want, _ := strconv.ParseInt(strings.TrimSpace(run(t, "last", path)), 10, 64)
			got, err := LastUpdate(path)
			if err != nil || got.Unix() != want {
				t.Fatalf("%s after update %d: LastUpdate %v, %v; rrdtool last %d", tc.name, at, got.Unix(), err, want)
			}
		}
	}
	if _, err := LastUpdate(filepath.Join(dir, "missing.rrd")); err == nil {
		t.Fatal("LastUpdate of a missing file: no error")
	}
}

func countPrefix(ss []string, p string) int {
	n := 0
	for _, s := range ss {
		if strings.HasPrefix(s, p) {
			n++
		}
	}
	return n
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	testenv.Need(t, "rrdtool")
	out, err := exec.Command("rrdtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool %v: %v\n%s", args, err, out)
	}
	return string(out)
}
