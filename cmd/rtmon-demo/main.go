// Command rtmon-demo runs the whole rtmon stack on loopback, in the
// foreground, until Ctrl-C: a swarm that keeps moving data (opentracker, a
// seeding rTorrent on 127.0.0.2 and a leeching one on 127.0.0.3), collectd
// with build/rtorrent.so watching both, the host plugins, rrdtool and
// unixsock from the shipped collectd.conf.d snippets, and rtmon-viewer.
// With RTORRENT_URL set it watches that rTorrent instead of a demo swarm.
// `make demo` builds and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the demo's flags.
type options struct {
	dir, snippets, build, listen, rtorrentURL string
	viewerFlags                               []string // more flags for rtmon-viewer
	interval, duration                        time.Duration
	ready                                     func(*stack) // tests: called once everything runs
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	return o.run(ctx, stdout, stderr)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("rtmon-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exe, _ := os.Executable()
	o := &options{}
	fs.StringVar(&o.dir, "dir", "", "private directory for every process's files and logs (default: a new one under $TMPDIR)")
	fs.StringVar(&o.snippets, "snippets", "collectd.conf.d", "the collectd.conf.d directory to configure collectd from")
	fs.StringVar(&o.build, "build", filepath.Dir(exe), "directory holding rtorrent.so and rtmon-viewer")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8042", "address the viewer serves on")
	fs.StringVar(&o.rtorrentURL, "rtorrent-url", os.Getenv("RTORRENT_URL"), "watch this rTorrent instead of a demo swarm (default $RTORRENT_URL)")
	fs.DurationVar(&o.interval, "interval", 2*time.Second, "collectd's read interval")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (0: run until Ctrl-C)")
	fs.Func("viewer-flags", "more flags for rtmon-viewer, separated by spaces (e.g. \"-max-streams 1024\")", func(s string) error {
		o.viewerFlags = append(o.viewerFlags, strings.Fields(s)...)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "rtmon-demo: takes no arguments")
		return nil, fmt.Errorf("arguments")
	}
	return o, nil
}

func (o *options) run(ctx context.Context, stdout, stderr io.Writer) (code int) {
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	tb := testenv.NewRunner(stderr, "rtmon-demo")
	defer func() {
		if r := recover(); r != nil {
			if !testenv.IsFatal(r) {
				panic(r)
			}
			code = 1
		}
		fmt.Fprintln(stdout, "rtmon-demo: stopping everything it started")
		tb.Stop()
	}()
	s := o.start(tb)
	fmt.Fprint(stdout, s.summary())
	if o.ready != nil {
		o.ready(s)
	}
	s.keepMoving(ctx, tb)
	return 0
}
