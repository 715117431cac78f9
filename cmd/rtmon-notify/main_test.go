package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/problems"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := "Severity: FAILURE\nTime: 1000.5\nHost: box\nPlugin: rtorrent\nPluginInstance: seed\nType: rtmon\nTypeInstance: reachable\n\nrTorrent unreachable: refused\n"
	if err := run([]string{"-dir", dir}, strings.NewReader(in), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	list, _, _ := problems.List(dir, time.Unix(1001, 0))
	if len(list) != 1 || list[0].Message != "rTorrent unreachable: refused" || list[0].Since != 1000.5 {
		t.Fatalf("recorded %+v", list)
	}
	err := run([]string{"-dir", dir + "/missing"}, strings.NewReader(in), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "problems directory") {
		t.Errorf("missing directory: err = %v", err)
	}
	if err := run([]string{"-dir", dir}, strings.NewReader("garbage"), &bytes.Buffer{}); err == nil {
		t.Error("garbage input accepted")
	}
}
