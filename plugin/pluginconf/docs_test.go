package pluginconf

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/plugin/alerts"
)

// TestDocsListEveryOption: docs/configuration.md has a row for every
// option the parser takes, and the defaults it states are the code's.
func TestDocsListEveryOption(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	rows := map[string]string{} // option -> default column
	for _, line := range strings.Split(doc, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		for _, name := range strings.Split(cells[1], ",") {
			name = strings.Trim(strings.TrimSpace(name), "`")
			rows[strings.ToLower(name)] = strings.TrimSpace(cells[2])
		}
	}
	for _, n := range optionNames {
		if _, ok := rows[strings.ToLower(n)]; !ok {
			t.Errorf("docs/configuration.md has no row for %s", n)
		}
	}
	def := reader.DefaultOptions()
	for name, want := range map[string]string{
		"timeout":         fmt.Sprint(rtorrent.DefaultTimeout.Seconds()),
		"maxreplymb":      fmt.Sprint(rtorrent.DefaultMaxReply >> 20),
		"loadbudget":      fmt.Sprint(def.LoadBudget * 100),
		"minscaninterval": fmt.Sprint(def.MinScanInterval.Seconds()),
		"maxscaninterval": fmt.Sprint(def.MaxScanInterval.Seconds()),
		"pertracker":      fmt.Sprintf("`%v`", def.PerTracker),
		"perlabel":        fmt.Sprintf("`%v`", def.PerLabel),
		"peerflags":       fmt.Sprintf("`%v`", def.PeerFlags),
		"procroot":        fmt.Sprintf("`%s`", def.ProcRoot),
		// the notification options (notify.go)
		"notifications":        fmt.Sprintf("`%v`", !alerts.DefaultOptions().Off),
		"notifyfailedreads":    fmt.Sprint(alerts.DefaultOptions().DownReads),
		"notifyfailedscans":    fmt.Sprint(alerts.DefaultOptions().ScanFailures),
		"notifymessagepercent": fmt.Sprint(alerts.DefaultOptions().MessageShare * 100),
		"notifylimitpercent":   fmt.Sprint(alerts.DefaultOptions().LimitShare * 100),
		"notifylimitreads":     fmt.Sprint(alerts.DefaultOptions().LimitReads),
	} {
		if got := rows[name]; got != want {
			t.Errorf("docs/configuration.md: %s defaults to %q, the code to %q", name, got, want)
		}
	}
}
