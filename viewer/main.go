// Command rtmon-viewer serves rtmon's live page, pyrotorque-compatible
// JSON and RRD graphs from collectd's unixsock and rrdtool DataDir.
// Flags and security defaults: docs/viewer.md; endpoints: docs/api.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/viewer/auth"
	"github.com/rtmon/rtmon/viewer/config"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/fleet"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/live"
	"github.com/rtmon/rtmon/viewer/rrd/readlock"
	"github.com/rtmon/rtmon/viewer/rrdcached"
	"github.com/rtmon/rtmon/viewer/web"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, config.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "rtmon-viewer:", err)
		os.Exit(1)
	}
}

// version is rtmon's version, set by the Makefile from the VERSION file
// (-ldflags -X main.version=...); a plain `go build` says "dev".
var version = "dev"

func run(args []string) error {
	// -version alone prints the version and exits; config.Parse never
	// sees it, so a settings file cannot turn it on.
	if len(args) == 1 && (args[0] == "-version" || args[0] == "--version") {
		fmt.Println("rtmon-viewer", version)
		return nil
	}
	cfg, err := config.Parse(args, os.Stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	var users *auth.Users
	if cfg.Htpasswd != "" {
		if users, err = auth.Load(cfg.Htpasswd); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := datadir.NewStore(cfg.DataDir, 15*time.Second)
	var cached *rrdcached.Client
	if cfg.RRDCached != "" {
		// collectd writes through rrdcached: flush each file there
		// before librrd reads it (docs/fleet.md).
		if cached, err = rrdcached.New(cfg.RRDCached); err != nil {
			return fmt.Errorf("-rrdcached: %w", err)
		}
		defer cached.Close()
		store.SetFlush(func(ctx context.Context, file string) error {
			err := cached.Flush(ctx, file)
			if err != nil {
				log.Debug("rrdcached flush failed; reading the file as it is on disk", "err", err)
			}
			return err
		})
	}
	fleetPoller := fleet.New(fleet.Config{Socket: cfg.Socket, Store: store, Interval: cfg.Interval, Log: log, RRDCached: cached,
		ProblemsDir: cfg.ProblemsDir})
	go fleetPoller.Run(ctx)
	poller := live.New(live.Config{Socket: cfg.Socket, Store: store, Interval: cfg.Interval,
		Hostname: cfg.Hostname, DiskPaths: cfg.DiskUsagePaths, Log: log, ProblemsDir: cfg.ProblemsDir})
	go poller.Run(ctx)
	renderer := graphs.NewRenderer(poller, cfg.MaxRenders, 64<<20, log)
	e, err := web.New(web.Deps{Config: cfg, Users: users, Store: store, Poller: poller, Renderer: renderer, Fleet: fleetPoller, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	log.Info("rtmon-viewer listening", "version", version, "addr", ln.Addr().String(), "datadir", cfg.DataDir, "socket", cfg.Socket, "auth", users != nil, "rrdcached", cfg.RRDCached)
	readlock.Log(log)
	if ix, err := datadir.Build(cfg.DataDir); err != nil {
		log.Warn("data directory not readable yet", "err", err)
	} else {
		for _, r := range ix.Refused {
			log.Warn("data directory entry left out", "path", r.Path, "reason", r.Reason)
		}
	}
	return web.Serve(ctx, web.Server(e, log), ln)
}
