package e2e

import (
	"bufio"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Reading RRD files with the rrdtool command and talking to collectd's
// unixsock directly: the ground truth on collectd's side comes from the
// real tools, not from rtmon's viewer packages.

// flush asks collectd's rrdtool plugin to write the cached values of the
// identifiers now. The shipped rrdtool.conf caches values for two minutes;
// a FLUSH naming identifiers jumps rrdtool's write queue. collectd answers
// once the request is queued, before the data is on disk.
func (c *Collectd) flush(t *testing.T, ids ...string) {
	t.Helper()
	conn, err := net.DialTimeout("unix", c.Sock, 2*time.Second)
	if err != nil {
		t.Fatalf("unixsock: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	cmd := "FLUSH timeout=0 plugin=rrdtool"
	for _, id := range ids {
		cmd += fmt.Sprintf(" identifier=%q", host+"/"+id)
	}
	if _, err := fmt.Fprintf(conn, "%s\n", cmd); err != nil {
		t.Fatalf("unixsock: %v", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "0 ") {
		t.Fatalf("unixsock %s: %q %v", cmd, line, err)
	}
}

// Update is one `rrdtool lastupdate`: the time and raw value of each data
// source as collectd last wrote them.
type Update struct {
	Time   time.Time
	Values map[string]float64
}

func lastUpdate(file string) (Update, error) {
	out, err := exec.Command("rrdtool", "lastupdate", file).CombinedOutput()
	if err != nil {
		return Update{}, fmt.Errorf("rrdtool lastupdate %s: %v: %s", file, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 3 {
		return Update{}, fmt.Errorf("rrdtool lastupdate %s: %q", file, out)
	}
	names := strings.Fields(lines[0])
	last := lines[len(lines)-1]
	ts, rest, ok := strings.Cut(last, ":")
	vals := strings.Fields(rest)
	if !ok || len(vals) != len(names) {
		return Update{}, fmt.Errorf("rrdtool lastupdate %s: %q", file, out)
	}
	sec, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return Update{}, err
	}
	u := Update{Time: time.Unix(0, int64(sec*1e9)), Values: map[string]float64{}}
	for i, n := range names {
		v, err := strconv.ParseFloat(vals[i], 64)
		if err != nil {
			v = math.NaN() // "U"
		}
		u.Values[n] = v
	}
	return u, nil
}

// waitUpdate flushes id until its file holds an update of a value read
// after `after`, and returns it. collectd's rrdtool plugin writes times
// rounded to whole seconds ("%.0f"), so an update stamped t was read no
// earlier than t - 0.5 s.
func (c *Collectd) waitUpdate(t *testing.T, id string, after time.Time, timeout time.Duration) Update {
	t.Helper()
	file := c.File(id)
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if _, err := os.Stat(file); err == nil {
			c.flush(t, id)
			u, err := lastUpdate(file)
			if err == nil && u.Time.After(after.Add(time.Second/2)) {
				return u
			}
			last = err
			if err == nil {
				last = fmt.Errorf("last update %v is not after %v", u.Time, after)
			}
		} else {
			last = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no update after %v within %v: %v", id, after.Format(time.StampMilli), timeout, last)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// step is the base step of an RRD file, from `rrdtool info`.
func step(t *testing.T, file string) int {
	t.Helper()
	out, err := exec.Command("rrdtool", "info", file).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool info %s: %v: %s", file, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "step = "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatalf("rrdtool info %s: no step", file)
	return 0
}

// Row is one consolidated row of `rrdtool fetch`.
type Row struct {
	Time   time.Time
	Values []float64 // NaN when unknown
}

// fetch returns the AVERAGE rows of the last `span` at the file's base
// resolution.
func fetch(t *testing.T, file string, span time.Duration) (names []string, rows []Row) {
	t.Helper()
	return rrdFetch(t, file, "-r", "60", "-s", fmt.Sprintf("-%d", int(span.Seconds())), "-e", "now")
}

// rrdFetch runs `rrdtool fetch file AVERAGE args...` and parses what it
// prints: the data source names, then a row per step ("time: v v ..."),
// unknown values ("nan", "-nan") as NaN.
func rrdFetch(t *testing.T, file string, args ...string) (names []string, rows []Row) {
	t.Helper()
	out, err := exec.Command("rrdtool", append([]string{"fetch", file, "AVERAGE"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool fetch %s: %v: %s", file, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	names = strings.Fields(lines[0])
	for _, l := range lines[1:] {
		ts, rest, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		sec, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if err != nil {
			continue
		}
		r := Row{Time: time.Unix(sec, 0)}
		for _, f := range strings.Fields(rest) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || strings.EqualFold(f, "nan") || strings.EqualFold(f, "-nan") {
				v = math.NaN()
			}
			r.Values = append(r.Values, v)
		}
		rows = append(rows, r)
	}
	return names, rows
}
