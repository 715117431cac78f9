package promstack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

const (
	host       = "rtmon-prom"
	snippetDir = "../../collectd.conf.d"
	promBin    = "/usr/bin/prometheus"
	vmBin      = "/usr/bin/victoria-metrics"
	// scrape is Prometheus's scrape interval; collectd reads every second.
	scrape = 2 * time.Second
)

// stack is one running Prometheus path.
type stack struct {
	metricsURL string // collectd's write_prometheus endpoint
	prom, vm   *api   // the two stores' query APIs
}

// startCollectd stages the shipped snippets, points prometheus.conf's
// Port at a free loopback port (Host stays as shipped: loopback) and
// runs collectd with it and pluginBlock. It returns the /metrics URL.
func startCollectd(t *testing.T, pluginBlock string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "promstack")
	if err != nil {
		t.Fatal(err)
	}
	l := collectdconf.NewLayout(dir)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("collectd log:\n%s", testenv.Tail(l.Log, 4000))
		}
		os.RemoveAll(dir)
	})
	if err := collectdconf.Stage(l, snippetDir); err != nil {
		t.Fatal(err)
	}
	snippet := filepath.Join(l.ConfD, "prometheus.conf")
	b, err := os.ReadFile(snippet)
	if err != nil {
		t.Fatal(err)
	}
	const shippedPort = `Port "9103"`
	if !strings.Contains(string(b), shippedPort) || !strings.Contains(string(b), `Host "127.0.0.1"`) {
		t.Fatalf("prometheus.conf no longer listens on 127.0.0.1 port 9103:\n%s", b)
	}
	port := testenv.FreePort(t, "127.0.0.1")
	if err := os.WriteFile(snippet, []byte(strings.Replace(string(b), shippedPort, fmt.Sprintf(`Port "%d"`, port), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	extra := pluginBlock + fmt.Sprintf("Include %q\n", snippet)
	if err := collectdconf.WriteMain(l, host, time.Second, testenv.PluginDir(t), extra); err != nil {
		t.Fatal(err)
	}
	testenv.StartCollectd(t, l.Conf, testenv.CollectdOptions{Dir: dir})
	url := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	waitHTTP(t, url, 20*time.Second)
	return url
}

// startVictoriaMetrics runs VictoriaMetrics on a free loopback port with
// its storage in a temporary directory. -search.latencyOffset=0s: by
// default it hides the newest 30 s from queries, which would make its
// answers lag Prometheus's in a test that compares them.
func startVictoriaMetrics(t *testing.T) string {
	t.Helper()
	testenv.Need(t, vmBin)
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t, "127.0.0.1"))
	testenv.StartDaemon(t, "victoria-metrics", vmBin, []string{
		"-storageDataPath=" + filepath.Join(dir, "data"),
		"-httpListenAddr=" + addr,
		"-retentionPeriod=1d",
		"-search.latencyOffset=0s",
		"-loggerLevel=WARN",
	}, dir, filepath.Join(dir, "vm.log"))
	url := "http://" + addr
	waitHTTP(t, url+"/health", 30*time.Second)
	return url
}

// startPrometheus runs Prometheus on a free loopback port with its own
// configuration and storage: it scrapes metricsURL and remote-writes
// every sample to remoteWrite (when not empty).
func startPrometheus(t *testing.T, metricsURL, remoteWrite string) string {
	t.Helper()
	testenv.Need(t, promBin)
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t, "127.0.0.1"))
	conf := promConfig(strings.TrimSuffix(strings.TrimPrefix(metricsURL, "http://"), "/metrics"), remoteWrite, scrape)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "prometheus.log")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus log:\n%s", testenv.Tail(log, 3000))
		}
	})
	testenv.StartDaemon(t, "prometheus", promBin, []string{
		"--config.file=" + filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
		"--web.listen-address=" + addr,
		"--log.level=warn",
	}, dir, log)
	url := "http://" + addr
	waitHTTP(t, url+"/-/ready", 30*time.Second)
	return url
}

// promConfig is the configuration docs/prometheus.md shows, with the
// test's addresses. honor_labels keeps collectd's own "instance" label
// (the collectd Hostname) instead of renaming it exported_instance.
func promConfig(target, remoteWrite string, every time.Duration) string {
	s := fmt.Sprintf(`global:
  scrape_interval: %s
  evaluation_interval: %s
scrape_configs:
  - job_name: collectd
    honor_labels: true
    static_configs:
      - targets: ['%s']
`, every, every, target)
	if remoteWrite != "" {
		s += fmt.Sprintf(`remote_write:
  - url: %s/api/v1/write
    queue_config:
      batch_send_deadline: 1s
`, remoteWrite)
	}
	return s
}
