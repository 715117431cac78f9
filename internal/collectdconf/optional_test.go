package collectdconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOptionalSnippet: the shipped prometheus.conf is staged as it is
// (it names no system path) and left out of the main configuration, so
// only a test that includes it runs write_prometheus.
func TestOptionalSnippet(t *testing.T) {
	l := NewLayout(t.TempDir())
	if err := Stage(l, "../../collectd.conf.d"); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("../../collectd.conf.d/prometheus.conf")
	if err != nil {
		t.Fatal(err)
	}
	staged, err := os.ReadFile(filepath.Join(l.ConfD, "prometheus.conf"))
	if err != nil || string(staged) != string(shipped) {
		t.Errorf("staged prometheus.conf differs from the shipped one (%v)", err)
	}
	if err := WriteMain(l, "h", time.Second, t.TempDir(), ""); err != nil {
		t.Fatal(err)
	}
	main, _ := os.ReadFile(l.Conf)
	if strings.Contains(string(main), "prometheus.conf") {
		t.Errorf("WriteMain includes prometheus.conf:\n%s", main)
	}
}
