// Command thumbs times a host page's thumbnail grid as a browser loads it,
// uncached and cached, for two viewers: -viewer and -compare (a binary, and
// -compare-env for its environment). It weighed the PNG encoder the viewer
// once carried (viewer/rrd/pngwrite.c, built at 628eaed) against cairo's
// (the same binary with RTMON_CAIRO_PNG=1); docs/PERFORMANCE.md has the
// figures and the command.
//
// It first fills a private DataDir: for every RRD file collectd wrote
// under -from, a file of the same structure (rrdtool create --template)
// holding a day of made-up values at the file's step, so that the day
// graphs the host page shows are full. Then, -runs times, it starts
// both viewers afresh on that DataDir (which goes first alternates), and
// for each: fetches the host page,
// then every thumbnail on it over -conc connections (uncached: a fresh
// viewer renders each), then the same thumbnails again (cached). It
// prints each load's wall time, the viewer's CPU time for it (user +
// system from /proc, which other load on the machine disturbs less) and
// bytes, and the ratios within each run.
//
//	go run ./bench/viewer/thumbs -viewer A -compare B -from <collectd DataDir>
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	viewer := flag.String("viewer", "build/rtmon-viewer", "the viewer binary")
	compare := flag.String("compare", "build/rtmon-viewer", "the viewer binary to compare with")
	compareEnv := flag.String("compare-env", "", "more environment for -compare, NAME=value separated by spaces")
	from := flag.String("from", "", "a DataDir collectd wrote (one host directory is used)")
	out := flag.String("out", "", "directory for the filled DataDir and logs (default: a new one)")
	runs := flag.Int("runs", 5, "runs; each starts both viewers afresh")
	conc := flag.Int("conc", 6, "parallel image requests, as a browser makes to one host")
	port := flag.Int("port", 18442, "the viewers' port")
	rng := flag.String("range", "1d", "the host page's range")
	flag.Parse()
	variants := []variant{{"viewer", *viewer, nil}, {"compare", *compare, strings.Fields(*compareEnv)}}
	if err := run(variants, *from, *out, *runs, *conc, *port, *rng); err != nil {
		fmt.Fprintln(os.Stderr, "thumbs:", err)
		os.Exit(1)
	}
}

// variant is one viewer to measure: its name in the output, binary and
// extra environment.
type variant struct {
	name, binary string
	env          []string
}

func run(variants []variant, from, out string, runs, conc, port int, rng string) error {
	if from == "" {
		return fmt.Errorf("-from is required")
	}
	var err error
	if out == "" {
		if out, err = os.MkdirTemp("", "rtmon-thumbs-"); err != nil {
			return err
		}
	}
	data := filepath.Join(out, "rrd")
	host, files, err := fill(from, data, time.Now().Unix())
	if err != nil {
		return err
	}
	fmt.Printf("DataDir %s: host %s, %d files, a day of values each\n", data, host, files)
	type result struct{ uncached, cached load }
	res := map[string][]result{}
	for i := 0; i < runs; i++ {
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		for _, v := range order {
			va := variants[v]
			u, c, err := measure(va.binary, data, host, rng, filepath.Join(out, fmt.Sprintf("viewer-%s-%d.log", va.name, i)), va.env, conc, port)
			if err != nil {
				return fmt.Errorf("run %d %s: %w", i+1, va.name, err)
			}
			res[va.name] = append(res[va.name], result{u, c})
			fmt.Printf("run %d %-8s uncached %4d images %8.1f ms (CPU %7.1f ms) %8d bytes | cached %8.1f ms (CPU %6.1f ms) %8d bytes\n",
				i+1, va.name, u.images, ms(u.took), ms(u.cpu), u.bytes, ms(c.took), ms(c.cpu), c.bytes)
		}
		p, c := res["viewer"][i], res["compare"][i]
		fmt.Printf("run %d ratio compare/viewer: uncached time %.2f, CPU %.2f, bytes %.2f; cached time %.2f, CPU %.2f\n", i+1,
			float64(c.uncached.took)/float64(p.uncached.took), float64(c.uncached.cpu)/float64(p.uncached.cpu),
			float64(c.uncached.bytes)/float64(p.uncached.bytes),
			float64(c.cached.took)/float64(p.cached.took), float64(c.cached.cpu)/float64(p.cached.cpu))
	}
	for _, name := range []string{"viewer", "compare"} {
		var u, uc, c, cc []float64
		for _, r := range res[name] {
			u, uc = append(u, ms(r.uncached.took)), append(uc, ms(r.uncached.cpu))
			c, cc = append(c, ms(r.cached.took)), append(cc, ms(r.cached.cpu))
		}
		fmt.Printf("median %-8s uncached %.1f ms (CPU %.1f ms), cached %.1f ms (CPU %.1f ms)\n", name, median(u), median(uc), median(c), median(cc))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	slices.Sort(v)
	if len(v) == 0 {
		return math.NaN()
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// load is one page load: the grid's images, their bytes, how long the
// page and all its images took, and the viewer's CPU time meanwhile.
type load struct {
	images, bytes int
	took, cpu     time.Duration
}

var imgSrc = regexp.MustCompile(`<img[^>]*\ssrc="(/graph/[^"]+)"`)

// measure starts the viewer, loads the host page twice, and stops it.
func measure(viewer, data, host, rng, logFile string, env []string, conc, port int) (uncached, cached load, err error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	logf, err := os.Create(logFile)
	if err != nil {
		return load{}, load{}, err
	}
	defer logf.Close()
	cmd := exec.Command(viewer, "-listen", addr, "-datadir", data, "-socket", filepath.Join(data, "no-collectd.sock"), "-hostname", host)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return load{}, load{}, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	base := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			return load{}, load{}, fmt.Errorf("the viewer did not answer on %s; see %s", addr, logFile)
		}
		time.Sleep(100 * time.Millisecond)
	}
	page := base + "/host/" + host + "?range=" + rng
	if uncached, err = loadPage(page, base, conc, cmd.Process.Pid); err != nil {
		return load{}, load{}, err
	}
	cached, err = loadPage(page, base, conc, cmd.Process.Pid)
	return uncached, cached, err
}

// cpuTime returns the user and system time process pid has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th, in clock ticks (100 a second).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(u+s) * 10 * time.Millisecond, nil
}

// loadPage fetches page, then every thumbnail on it over conc
// connections, from the viewer whose process is pid.
func loadPage(page, base string, conc, pid int) (load, error) {
	cpu0, err := cpuTime(pid)
	if err != nil {
		return load{}, err
	}
	start := time.Now()
	body, err := get(page)
	if err != nil {
		return load{}, err
	}
	var urls []string
	for _, m := range imgSrc.FindAllStringSubmatch(string(body), -1) {
		urls = append(urls, base+strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	if len(urls) == 0 {
		return load{}, fmt.Errorf("no thumbnails on %s", page)
	}
	var mu sync.Mutex
	l := load{images: len(urls)}
	var firstErr error
	work := make(chan string)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for u := range work {
				b, err := get(u)
				mu.Lock()
				l.bytes += len(b)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, u := range urls {
		work <- u
	}
	close(work)
	wg.Wait()
	l.took = time.Since(start)
	cpu, err := cpuTime(pid)
	if err != nil {
		return load{}, err
	}
	l.cpu = cpu - cpu0
	return l, firstErr
}

func get(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return b, err
}

var dsType = regexp.MustCompile(`^ds\[([^\]]+)\]\.type = "([A-Z]+)"`)

// fill copies the structure of the first host directory under from into
// to, each RRD file remade holding a day of values up to now.
func fill(from, to string, now int64) (host string, files int, err error) {
	hosts, err := os.ReadDir(from)
	if err != nil {
		return "", 0, err
	}
	for _, h := range hosts {
		if h.IsDir() {
			host = h.Name()
			break
		}
	}
	if host == "" {
		return "", 0, fmt.Errorf("no host directory in %s", from)
	}
	r := rand.New(rand.NewPCG(1, 2))
	err = filepath.WalkDir(filepath.Join(from, host), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rrd") {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		info, err := exec.Command("rrdtool", "info", path).Output()
		if err != nil {
			return fmt.Errorf("rrdtool info %s: %w", path, err)
		}
		var step int64 = 10
		var types []string
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "step = "); ok {
				step, _ = strconv.ParseInt(v, 10, 64)
			}
			if m := dsType.FindStringSubmatch(line); m != nil {
				types = append(types, m[2])
			}
		}
		start := now - 86400 - step
		start -= start % step
		if out, err := exec.Command("rrdtool", "create", dst, "--template", path, "--start", fmt.Sprint(start)).CombinedOutput(); err != nil {
			return fmt.Errorf("rrdtool create %s: %v: %s", dst, err, out)
		}
		args := []string{"update", dst}
		counters := make([]float64, len(types))
		phase := r.Float64() * 2 * math.Pi
		for t := start + step; t <= now; t += step {
			v := []string{fmt.Sprint(t)}
			x := float64(t-start) / 86400 * 2 * math.Pi
			for i, typ := range types {
				level := 50 + 40*math.Sin(x*3+phase+float64(i)) + 10*r.Float64()
				if typ == "DERIVE" || typ == "COUNTER" {
					counters[i] += level * float64(step) * 1000
					v = append(v, fmt.Sprintf("%.0f", counters[i]))
				} else {
					v = append(v, fmt.Sprintf("%.3f", level))
				}
			}
			args = append(args, strings.Join(v, ":"))
		}
		if out, err := exec.Command("rrdtool", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("rrdtool update %s: %v: %s", dst, err, out)
		}
		files++
		return nil
	})
	return host, files, err
}
