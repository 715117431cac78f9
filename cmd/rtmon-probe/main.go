// Command rtmon-probe reads one snapshot of an rTorrent exactly as the
// collectd plugin does and prints it as indented JSON. Use it to check a
// URL, credentials and permissions before configuring collectd.
//
//	rtmon-probe [flags] URL
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
)

// version is rtmon's version, set by the Makefile from the VERSION file
// (-ldflags -X main.version=...); a plain `go build` says "dev".
var version = "dev"

// maxVolume bounds -volume: the probe is a check, not a monitor.
const maxVolume = 10 * time.Minute

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rtmon-probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg  = rtorrent.Config{Name: "probe"}
		scan = fs.Bool("scan", false, "force an item scan (otherwise one runs anyway on the first read)")
		fast = fs.Bool("fast", false, "fast tier only: skip the item scan")
		ver  = fs.Bool("version", false, "print the version and exit")
		vol  = fs.Duration("volume", 0, "read twice this far apart and print the second read, whose per-tracker and per-label up_bytes/down_bytes are what each group moved in between (at most "+maxVolume.String()+")")
	)
	fs.StringVar(&cfg.Name, "name", "probe", "instance name shown in messages")
	fs.StringVar(&cfg.Username, "username", "", "HTTP basic auth user (http/https URLs)")
	// The default is read after parsing: a default shown by -h or a usage
	// error would print the password from the environment.
	fs.StringVar(&cfg.Password, "password", "", "HTTP basic auth password (default $RTMON_PASSWORD; the environment keeps it out of ps)")
	fs.StringVar(&cfg.CAFile, "ca-file", "", "PEM file of CAs to verify an https server")
	fs.BoolVar(&cfg.InsecureSkipVerify, "insecure-skip-verify", false, "accept any https certificate")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "deadline for each call")
	fs.Int64Var(&cfg.MaxReplyBytes, "max-reply", rtorrent.DefaultMaxReply, "largest reply accepted, in bytes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: rtmon-probe [flags] URL\n\nURL is scgi:///path/rpc.socket, scgi://host:port, http://host/RPC2 or https://host/RPC2.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *ver {
		fmt.Fprintln(stdout, "rtmon-probe", version)
		return 0
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *vol < 0 || *vol > maxVolume || *vol > 0 && *fast {
		fmt.Fprintf(stderr, "rtmon-probe: -volume %v: want 0 to %v, and not with -fast (volumes need item scans)\n", *vol, maxVolume)
		return 2
	}
	cfg.URL = fs.Arg(0)
	if cfg.Password == "" {
		cfg.Password = os.Getenv("RTMON_PASSWORD")
	}
	client, err := rtorrent.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "rtmon-probe:", err)
		return 1
	}
	if w := client.CleartextAuth(); w != "" {
		fmt.Fprintln(stderr, "rtmon-probe: warning:", w)
	}
	if w := rtorrent.SkipVerifyWarning(cfg); w != "" {
		fmt.Fprintln(stderr, "rtmon-probe: warning:", w)
	}
	opt := reader.DefaultOptions()
	rd := reader.NewReader(client, opt)
	read := func(force bool) (*reader.Snapshot, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 4*cfg.Timeout)
		defer cancel()
		if *fast {
			return rd.ReadFast(ctx)
		}
		return rd.Read(ctx, force)
	}
	snap, err := read(*scan)
	if err == nil && *vol > 0 {
		// The first read's scan is the volumes' baseline; the second,
		// forced, counts what each item moved since.
		time.Sleep(*vol)
		snap, err = read(true)
	}
	if err != nil {
		fmt.Fprintln(stderr, "rtmon-probe:", err)
		return 1
	}
	for _, e := range rd.SubErrors() {
		fmt.Fprintln(stderr, "rtmon-probe: warning:", e)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(snap); err != nil {
		fmt.Fprintln(stderr, "rtmon-probe:", err)
		return 1
	}
	return 0
}
