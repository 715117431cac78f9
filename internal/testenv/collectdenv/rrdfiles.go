package collectdenv

import (
	"fmt"
	"github.com/rtmon/rtmon/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RRD makes DataDir/rel (a collectd-style "host/plugin/type.rrd") with the
// rrdtool command line: the given data sources (name:KIND), a 10 s step,
// and n updates ending now with values f(i, ds).
func RRD(t testing.TB, datadir, rel string, ds []string, n int, f func(i, j int) float64) string {
	t.Helper()
	path := filepath.Join(datadir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Unix() / 10 * 10
	start := end - int64(n)*10
	args := []string{"create", path, "--start", fmt.Sprint(start - 10), "--step", "10"}
	for _, d := range ds {
		name, kind, _ := strings.Cut(d, ":")
		args = append(args, fmt.Sprintf("DS:%s:%s:20:0:U", name, kind))
	}
	args = append(args, "RRA:AVERAGE:0.5:1:400", "RRA:AVERAGE:0.5:36:400", "RRA:MAX:0.5:1:400")
	Rrdtool(t, args...)
	if n > 0 {
		up := []string{"update", path}
		var acc []float64 = make([]float64, len(ds))
		for i := 0; i < n; i++ {
			vals := make([]string, len(ds))
			for j := range ds {
				v := f(i, j)
				if strings.HasSuffix(ds[j], ":DERIVE") || strings.HasSuffix(ds[j], ":COUNTER") {
					acc[j] += v * 10 // f gives the rate
					v = acc[j]
				}
				vals[j] = fmt.Sprintf("%.0f", v)
				if !strings.HasSuffix(ds[j], ":DERIVE") && !strings.HasSuffix(ds[j], ":COUNTER") {
					vals[j] = fmt.Sprint(v)
				}
			}
			up = append(up, fmt.Sprintf("%d:%s", start+int64(i)*10, strings.Join(vals, ":")))
		}
		Rrdtool(t, up...)
	}
	return path
}

// Rrdtool runs the rrdtool command and returns its output.
func Rrdtool(t testing.TB, args ...string) string {
	t.Helper()
	testenv.Need(t, "rrdtool")
	out, err := exec.Command("rrdtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
