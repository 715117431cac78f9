package graphs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/query"
)

// RenderMemory is the documented bound on the viewer's memory for
// renders: the peak resident size (VmHWM: Go heap, librrd's C
// allocations, cairo's surface, the test binary itself) of a process
// drawing the worst requests the viewer accepts (MaxLines lines,
// MaxPoints values, 4000x2000, PNG, SVG and series) from four threads at
// once. Measured 96 MiB (136 MiB under -race); 228 MiB without the
// malloc settings of viewer/rrd/malloc.go, gigabytes before the
// clamps.
const RenderMemory = 192 << 20

// killAt stops a child that is clearly unbounded (today's main reached
// 24 GB on the same request) long before it hurts the machine.
const killAt = 1 << 30

// TestWorstRequestMemory runs the worst requests in a child process and
// reads the child's peak resident size from /proc: the only measure that
// sees librrd's C allocations as well as Go's heap. The two worst shapes:
// the 1,500 memory-xN files of a day of 1-minute rows asked for
// ten years, and MaxLines files whose archives hold just under
// MaxPoints values in all.
func TestWorstRequestMemory(t *testing.T) {
	if os.Getenv("RTMON_WORST_DIRS") != "" {
		t.Skip("child")
	}
	many, heavy := t.TempDir(), t.TempDir()
	minuteFiles(t, many, 1500, 1440)
	minuteFiles(t, heavy, MaxLines, MaxPoints/MaxLines-3) // -3: a minute may pass before the request
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorstRequestChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "RTMON_WORST_DIRS="+many+","+heavy)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peak, killed := int64(0), false
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			rss := testenv.ProcStatus(cmd.Process.Pid, "VmRSS")
			peak = max(peak, rss)
			if rss > killAt && !killed {
				killed = true
				cmd.Process.Kill()
			}
		}
	}
	if killed {
		t.Fatalf("the worst request passed %d MiB resident; killed", killAt>>20)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	hwm := int64(0)
	for _, l := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "VmHWM-bytes "); ok {
			hwm, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if hwm == 0 {
		t.Fatalf("child reported no VmHWM:\n%s", out.String())
	}
	t.Logf("%s\nworst request: child's VmHWM %d MiB (sampled RSS peak %d MiB), bound %d MiB", out.String(), hwm>>20, peak>>20, RenderMemory>>20)
	if hwm > RenderMemory {
		t.Errorf("the worst request peaked at %d MiB resident, over the bound of %d MiB\n%s", hwm>>20, RenderMemory>>20, out.String())
	}
}

// TestWorstRequestChild is TestWorstRequestMemory's child: workers
// goroutines, each on an OS thread of its own as the viewer's requests
// are (glibc may give each calling thread its own malloc arena), render
// and export the worst requests, then it prints its own VmHWM.
func TestWorstRequestChild(t *testing.T) {
	dirs := os.Getenv("RTMON_WORST_DIRS")
	if dirs == "" {
		t.Skip("run by TestWorstRequestMemory")
	}
	const workers = 4
	r := NewRenderer(nil, workers, 0, nil)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for _, dir := range strings.Split(dirs, ",") {
				d := memoryGraph(t, dir)
				for _, format := range query.Formats {
					q := tenYears(format)
					q.Start += int64(w) // no two workers share a render
					img, err := r.Render(context.Background(), d, q)
					if err != nil || len(img.Data) == 0 {
						errs <- fmt.Errorf("%s %s: %v", dir, format, err)
						return
					}
				}
				q := tenYears("png")
				q.Start += int64(w)
				s, err := r.Series(context.Background(), d, q)
				if err != nil || len(s.Rows) == 0 {
					errs <- fmt.Errorf("%s series: %v", dir, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fmt.Printf("VmHWM-bytes %d\n", testenv.ProcStatus(os.Getpid(), "VmHWM"))
}
