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
	ctx, cancel := context.WithTimeout(context.Background(), 4*cfg.Timeout)
	defer cancel()
	var snap *reader.Snapshot
	if *fast {
		snap, err = rd.ReadFast(ctx)
	} else {
		snap, err = rd.Read(ctx, *scan)
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
