package main

import (
	"context"
	"fmt"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
)

// views are rTorrent 0.9.8's built-in views, the ones exporters count.
var views = []string{"main", "started", "stopped", "complete", "incomplete", "hashing", "seeding", "leeching", "active"}

// globalCommands are the global values the plugin reads in its fast tier
// (internal/reader/fast.go), for the naive pattern that asks for each with
// its own call.
var globalCommands = []string{
	"system.pid", "throttle.global_up.rate", "throttle.global_down.rate", "throttle.global_up.total",
	"throttle.global_down.total", "throttle.global_up.max_rate", "throttle.global_down.max_rate",
	"network.open_sockets", "network.max_open_sockets", "network.http.current_open", "network.http.max_open",
	"network.open_files", "network.max_open_files", "system.files.opened_counter", "system.files.closed_counter",
	"pieces.memory.current", "pieces.memory.max", "system.startup_time",
}

// itemFields are the per-item fields of the plugin's scan
// (internal/reader/scan.go), asked one call each by the naive pattern.
var itemFields = []string{
	"d.hash", "d.state", "d.complete", "d.up.rate", "d.down.rate", "d.skip.rate", "d.left_bytes",
	"d.message", "d.ratio", "d.peers_connected", "d.peers_complete", "d.peers_accounted",
	"d.up.total", "d.down.total",
}

// baselineB are the ten fields of the d.multicall2 that d.multicall2-based
// exporters send every scrape: go-rtorrent's GetTorrents fields (used by
// thde/rtorrent_exporter) plus the rates the detail exporters add.
var baselineB = []any{"", "main", "d.hash=", "d.name=", "d.size_bytes=", "d.custom1=", "d.base_path=",
	"d.is_active=", "d.complete=", "d.ratio=", "d.up.rate=", "d.down.rate="}

// scrapeA is baseline (a), what mdlayher/rtorrent_exporter asks every
// scrape: download_list once per view (the exporter counts the hashes it
// gets back), then for every item in view "active" its name, download
// rate and upload rate, one call each (d.get_base_filename,
// d.get_down_rate, d.get_up_rate in the old names; 0.9.8 spells them as
// below).
func scrapeA(ctx context.Context, c *rtorrent.Client) error {
	var active []any
	for _, v := range views {
		x, err := c.Call(ctx, "download_list", "", v)
		if err != nil {
			return fmt.Errorf("download_list %s: %w", v, err)
		}
		list, ok := x.([]any)
		if !ok {
			return fmt.Errorf("download_list %s: got %T", v, x)
		}
		if v == "active" {
			active = list
		}
	}
	for _, h := range active {
		for _, m := range []string{"d.base_filename", "d.down.rate", "d.up.rate"} {
			if _, err := c.Call(ctx, m, h); err != nil {
				return fmt.Errorf("%s: %w", m, err)
			}
		}
	}
	return nil
}

// scrapeB is baseline (b): one d.multicall2 of ten fields over main.
func scrapeB(ctx context.Context, c *rtorrent.Client) error {
	x, err := c.Call(ctx, "d.multicall2", baselineB...)
	if err != nil {
		return err
	}
	if _, ok := x.([]any); !ok {
		return fmt.Errorf("d.multicall2: got %T", x)
	}
	return nil
}

// naiveFixed is the item-independent part of the naive pattern: each
// global and each view size with its own call, and the hash list.
func naiveFixed(ctx context.Context, c *rtorrent.Client, globals []string) ([]any, error) {
	for _, g := range globals {
		if _, err := c.Call(ctx, g, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", g, err)
		}
	}
	for _, v := range views {
		if _, err := c.Call(ctx, "view.size", "", v); err != nil {
			return nil, fmt.Errorf("view.size %s: %w", v, err)
		}
	}
	x, err := c.Call(ctx, "download_list", "", "main")
	if err != nil {
		return nil, err
	}
	list, _ := x.([]any)
	return list, nil
}

// naiveItems asks every item field of every hash with its own call.
func naiveItems(ctx context.Context, c *rtorrent.Client, hashes []any) error {
	for _, h := range hashes {
		for _, f := range itemFields {
			if _, err := c.Call(ctx, f, h); err != nil {
				return fmt.Errorf("%s %v: %w", f, h, err)
			}
		}
	}
	return nil
}

// scanGap is the plugin's scan cadence rule (internal/reader/reader.go,
// scanGap): a scan that kept rTorrent busy for d waits d/budget, within
// [min, max]. A scan runs at a read, so the gap is rounded up to whole
// intervals. (The scan starts a moment after its read began, so with
// perfectly periodic reads it would wait one interval more; collectd's
// reads jitter, so the shorter gap is taken: it counts more scans, never
// fewer.)
func scanGap(d time.Duration, o reader.Options, interval time.Duration) time.Duration {
	gap := time.Duration(float64(d) / o.LoadBudget)
	gap = min(max(gap, o.MinScanInterval), o.MaxScanInterval)
	return (gap + interval - 1) / interval * interval
}
