// Command rss measures what the rtorrent plugin costs collectd in memory
// over a long run: it starts a loopback swarm that keeps moving data, a
// collectd -f with build/rtorrent.so reading both rTorrents at Interval 1,
// and the same collectd configuration without the rtorrent plugin as the
// baseline, then samples VmRSS and the thread count of both every few
// seconds. It writes samples.csv and summary.txt into -out and prints the
// summary: the RSS the plugin adds (median over the last window) and its
// growth (first-window median against last-window median, and a
// least-squares slope).
//
// Both collectds run side by side on the same machine so that noise from
// other load hits both alike; the figure that matters is their difference.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the flags.
type options struct {
	out, build, snippets     string
	duration, every, window  time.Duration
	interval                 time.Duration
	torrents, sizeMiB, upKiB int
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("rss", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.out, "out", "", "directory for samples.csv, summary.txt and every process's files (default: a new one under /dev/shm)")
	fs.StringVar(&o.build, "build", "build", "directory holding rtorrent.so (copied away first, so a rebuild during the run changes nothing)")
	fs.StringVar(&o.snippets, "snippets", "collectd.conf.d", "the collectd.conf.d directory to configure collectd from")
	fs.DurationVar(&o.duration, "duration", 30*time.Minute, "how long to sample")
	fs.DurationVar(&o.every, "every", 5*time.Second, "sampling period")
	fs.DurationVar(&o.window, "window", 5*time.Minute, "length of the first and last windows compared (at most a third of -duration)")
	fs.DurationVar(&o.interval, "interval", time.Second, "collectd's Interval")
	fs.IntVar(&o.torrents, "torrents", 8, "torrents in the swarm")
	fs.IntVar(&o.sizeMiB, "size", 16, "MiB per torrent")
	fs.IntVar(&o.upKiB, "upload", 1024, "the seeder's upload throttle, KiB/s")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "rss: takes no arguments")
		return nil, fmt.Errorf("arguments")
	}
	if o.duration <= 0 || o.every <= 0 || o.interval < time.Second {
		fmt.Fprintln(stderr, "rss: -duration and -every must be positive, -interval at least 1s")
		return nil, fmt.Errorf("flags")
	}
	o.window = min(o.window, o.duration/3)
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if o.out == "" {
		root := "/dev/shm"
		if st, err := os.Stat(root); err != nil || !st.IsDir() {
			root = os.TempDir()
		}
		if o.out, err = os.MkdirTemp(root, "rtmon-rss-"); err != nil {
			fmt.Fprintf(stderr, "rss: output directory: %v\n", err)
			return 1
		}
	} else if err := os.MkdirAll(o.out, 0o755); err != nil {
		fmt.Fprintf(stderr, "rss: output directory: %v\n", err)
		return 1
	}
	o.out, _ = filepath.Abs(o.out)
	tb := testenv.NewRunner(stderr, "rss")
	defer func() {
		if r := recover(); r != nil {
			if !testenv.IsFatal(r) {
				panic(r)
			}
			code = 1
		}
		tb.Stop()
	}()
	s := o.start(tb)
	fmt.Fprintf(stdout, "rss: files in %s; with plugin pid %d, baseline pid %d; sampling every %v for %v\n",
		o.out, s.with.PID(), s.base.PID(), o.every, o.duration)
	samples := s.sample(ctx, tb, o)
	sum := summarize(samples, o.window)
	sum.check(s)
	text := sum.String()
	if err := os.WriteFile(filepath.Join(o.out, "summary.txt"), []byte(text), 0o644); err != nil {
		tb.Fatalf("summary: %v", err)
	}
	fmt.Fprint(stdout, text)
	if len(sum.problems) > 0 {
		return 1
	}
	return 0
}
