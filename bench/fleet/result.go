package main

import (
	"fmt"
	"io"
	"time"
)

type result struct {
	hosts                 int
	interval, duration    time.Duration
	writeTimeout          int
	warmup                time.Duration
	filesBytes            int64
	rounds, sendErrors    int64
	lists, values, stored int64
	own                   int64
	wall                  time.Duration
	cpu, rss, writes      map[string]float64
	refresh               []refreshStat
	latency               latencyStat
	viewerBusy            float64
	viewerRSS             int64
	udpDrops              int64
	latencyWall           time.Duration
}

func (r *result) window(before, after map[string]procSample, wall time.Duration, lists, values, stored, own int64) {
	r.wall, r.lists, r.values, r.stored, r.own = wall, lists, values, stored, own
	r.cpu, r.rss, r.writes = map[string]float64{}, map[string]float64{}, map[string]float64{}
	for name, a := range after {
		b := before[name]
		r.cpu[name] = (a.cpu - b.cpu) / wall.Seconds() * 100
		r.rss[name] = float64(a.rss)
		r.writes[name] = float64(a.writeBytes - b.writeBytes)
	}
}

func (r *result) print(w io.Writer) {
	sec := r.wall.Seconds()
	lost := r.lists + r.own - r.stored
	fmt.Fprintf(w, "== %d hosts, interval %v, window %.0fs (after %.0fs of file creation), rrdcached -w %d\n", r.hosts, r.interval, sec, r.warmup.Seconds(), r.writeTimeout)
	fmt.Fprintf(w, "ingest: %.0f values/s (%.0f value lists/s) sent; rrdcached got %d lists of %d expected (%d own): lost %d (%.3f%%); send errors %d; UDP datagrams dropped by the kernel (full receive buffer) %d\n",
		float64(r.values)/sec, float64(r.lists)/sec, r.stored, r.lists+r.own, r.own, lost, 100*float64(lost)/float64(max(1, r.lists+r.own)), r.sendErrors, r.udpDrops)
	for _, n := range []string{"collectd", "rrdcached", "viewer"} {
		fmt.Fprintf(w, "%-9s CPU %5.1f%% of a core, RSS %6.1f MiB, disk writes %.1f MiB in the window\n", n, r.cpu[n], r.rss[n]/(1<<20), r.writes[n]/(1<<20))
	}
	perHostHour := (r.writes["rrdcached"] + r.writes["collectd"]) / float64(r.hosts) / sec * 3600
	fmt.Fprintf(w, "disk: files %.1f MiB per host (%.2f GiB in all); writes %.2f MiB per host per hour (steady state)\n",
		float64(r.filesBytes)/float64(r.hosts)/(1<<20), float64(r.filesBytes)/(1<<30), perHostHour/(1<<20))
	for _, f := range r.refresh {
		fmt.Fprintf(w, "fleet refresh, %-27s: collectd %.1f ms CPU, %.0f ms wall, %d round trips, %d values read, %d rows\n",
			f.mode, f.collectdCPU*1000, f.wall*1000, f.trips, f.read, f.rows)
	}
	if len(r.refresh) == 3 {
		full, getOnly, perValue := r.refresh[0].collectdCPU, r.refresh[1].collectdCPU, r.refresh[2].collectdCPU
		// The fleet poller at collectd's Interval 10 with every host
		// clocked (uptime): a refresh every 5 s, LISTVAL every 30 s, so
		// over 30 s one refresh with LISTVAL and five without. Against
		// it, the live page's way (LISTVAL and a GETVAL per value) at
		// the same 5 s and at the viewer's -interval of 2 s.
		fmt.Fprintf(w, "fleet page's load on collectd (refresh 5 s, LISTVAL 30 s): %.2f%% of a core; "+
			"LISTVAL + per-value GETVAL every 5 s: %.2f%%, every 2 s: %.2f%%\n",
			(full+5*getOnly)/30*100, perValue/5*100, perValue/2*100)
	}
	l := r.latency
	fmt.Fprintf(w, "/json/fleet (8 clients): p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d bytes, %d errors; viewer %.1f%% of a core meanwhile, RSS %.1f MiB\n",
		ms(l.p50), ms(l.p99), ms(l.max), l.bytes, l.errors, r.viewerBusy/r.latencyWall.Seconds()*100, float64(r.viewerRSS)/(1<<20))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
