package central_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/bench/fleet/central"
	"github.com/rtmon/rtmon/bench/fleet/emulator"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// fleetRow and fleetTable mirror the parts of /json/fleet the tests read
// (decoded here rather than with viewer/fleet's types: the test reads
// the wire format a browser gets).
type fleetRow struct {
	Host     string   `json:"host"`
	Instance string   `json:"instance"`
	Items    *float64 `json:"items"`
	Active   *float64 `json:"active"`
	Up       *float64 `json:"up_rate"`
	Age      float64  `json:"age_seconds"`
	Stale    bool     `json:"stale"`
	Interval float64  `json:"interval_seconds"`
}

type fleetTable struct {
	Time   float64    `json:"time"`
	Source string     `json:"source"`
	Error  string     `json:"error"`
	Rows   []fleetRow `json:"rows"`
	Totals struct {
		Hosts      int     `json:"hosts"`
		HostsStale int     `json:"hosts_stale"`
		Items      float64 `json:"items"`
	} `json:"totals"`
	FleetGraphs bool `json:"fleet_graphs"`
	RRDCached   *struct {
		OK        bool   `json:"ok"`
		LastError string `json:"last_error"`
		Failures  int64  `json:"failures"`
	} `json:"rrdcached"`
}

func getFleet(t *testing.T, base string) *fleetTable {
	t.Helper()
	r, err := http.Get(base + "/json/fleet")
	if err != nil {
		t.Fatalf("/json/fleet: %v", err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if r.StatusCode != 200 {
		t.Fatalf("/json/fleet = %d: %s", r.StatusCode, b)
	}
	var ft fleetTable
	if err := json.Unmarshal(b, &ft); err != nil {
		t.Fatalf("/json/fleet: %v\n%.500s", err, b)
	}
	return &ft
}

// waitFleet polls /json/fleet until ok accepts it.
func waitFleet(t *testing.T, base string, timeout time.Duration, what string, ok func(*fleetTable) bool) *fleetTable {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ft := getFleet(t, base)
		if ok(ft) {
			return ft
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(ft)
			t.Fatalf("%s: not within %v; last /json/fleet: %.3000s", what, timeout, b)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func rowsByHost(ft *fleetTable) map[string][]fleetRow {
	m := map[string][]fleetRow{}
	for _, r := range ft.Rows {
		m[r.Host] = append(m[r.Host], r)
	}
	return m
}

// build is the directory of the built binaries (RTMON_BUILD, as for every
// test that runs them).
func build(t *testing.T) string {
	t.Helper()
	b := os.Getenv("RTMON_BUILD")
	if b == "" {
		b = filepath.Join(collectdenv.RepoRoot(), "build")
	}
	if _, err := os.Stat(filepath.Join(b, "rtmon-viewer")); err != nil {
		t.Fatalf("no rtmon-viewer in %s: run make build (RTMON_BUILD names the directory)", b)
	}
	return b
}

// rrdFetcher reads RRD files with `rrdtool -` (one process, one command a
// line) through rrdcached (--daemon flushes each file first): ground
// truth from rrdtool itself, not from the viewer.
type rrdFetcher struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func newFetcher(t *testing.T) *rrdFetcher {
	t.Helper()
	cmd := exec.Command("rrdtool", "-")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("rrdtool -: %v", err)
	}
	f := &rrdFetcher{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return f
}

// fetch returns the rows of file's AVERAGE archive at step, by row end
// time; each row holds the DS values.
func (f *rrdFetcher) fetch(file, daemon string, step int, from, to int64) (map[int64][]float64, error) {
	fmt.Fprintf(f.in, "fetch %s AVERAGE -r %d -s %d -e %d --daemon %s\n", file, step, from, to, daemon)
	rows := map[int64][]float64{}
	for {
		line, err := f.out.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "OK "):
			return rows, nil
		case strings.HasPrefix(line, "ERROR"):
			return nil, fmt.Errorf("%s: %s", file, line)
		}
		ts, vals, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		sec, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if err != nil {
			continue
		}
		var vs []float64
		for _, v := range strings.Fields(vals) {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				x = math.NaN()
			}
			vs = append(vs, x)
		}
		rows[sec] = vs
	}
}

// rrdPath is the file collectd's rrdcached plugin writes an identifier
// (host/plugin[-inst]/type[-inst]) to.
func rrdPath(datadir, id string) string { return filepath.Join(datadir, id+".rrd") }

// flushAll asks rrdcached to write everything (FLUSHALL) and waits for it.
func flushAll(t *testing.T, c *central.Central) {
	t.Helper()
	conn, err := net.DialTimeout("unix", c.RRDSock, 5*time.Second)
	if err != nil {
		t.Fatalf("rrdcached: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "FLUSHALL\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "0 ") {
		t.Fatalf("rrdcached FLUSHALL: %q %v", line, err)
	}
}

// startEmulator runs an emulator against c until the test ends.
func startEmulator(t *testing.T, c *central.Central, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	cfg.Addr, cfg.Username, cfg.Password = c.Addr, "fleet", "fleet-secret"
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

func repoSnippets() string { return filepath.Join(collectdenv.RepoRoot(), "collectd.conf.d") }

func httpGet(t *testing.T, u string) int {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode
}

// collectdCommand sends one unixsock command and returns the lines after
// the status line.
func collectdCommand(c *central.Central, cmd string) ([]string, error) {
	conn, err := net.DialTimeout("unix", c.Sock, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "%s\n", cmd)
	r := bufio.NewReaderSize(conn, 1<<20)
	status, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.Fields(status)[0])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s: %s", cmd, status)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		l, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out, nil
}
