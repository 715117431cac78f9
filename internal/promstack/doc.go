// Package promstack holds the end-to-end tests of rtmon's Prometheus path
// (docs/prometheus.md): a real rTorrent swarm, collectd with the built
// plugin and the shipped collectd.conf.d/prometheus.conf, Debian's
// Prometheus scraping collectd's write_prometheus, and Debian's
// VictoriaMetrics receiving the same samples through Prometheus's
// remote_write. The queries of docs/prometheus.md and every panel of the
// Grafana dashboard (dist/grafana/rtmon.json) run against them, and the
// answers are checked against what rTorrent itself reports.
//
// Tests only: the package has no code of its own outside its tests.
package promstack
