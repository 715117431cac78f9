package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func TestProbePrintsSnapshot(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(12, "http://127.0.0.1:1/announce", "probe")), false)
	rt.WaitItems(t, 12, 10*time.Second)

	var out, errOut bytes.Buffer
	if code := run([]string{"-scan", rt.URL}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	var snap struct {
		PID   int64 `json:"pid"`
		Items struct {
			Total    int64  `json:"total"`
			Stopped  int64  `json:"stopped"`
			Active   *int64 `json:"active"`
			Messages *int64 `json:"messages"`
		} `json:"items"`
		Sizes *struct {
			SizeBytes int64 `json:"size_bytes"`
		} `json:"sizes"`
	}
	if err := json.Unmarshal(out.Bytes(), &snap); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	wantSize := rt.MustCall(t, "d.multicall2", "", "main", "d.size_bytes=")
	var sum int64
	for _, r := range wantSize.([]any) {
		sum += r.([]any)[0].(int64)
	}
	if snap.PID != int64(rt.PID) || snap.Items.Total != 12 || snap.Items.Stopped != 12 || snap.Items.Active == nil || snap.Sizes == nil || snap.Sizes.SizeBytes != sum {
		t.Errorf("snapshot %+v sizes %+v, want pid %d, 12 items stopped, size %d", snap, snap.Sizes, rt.PID, sum)
	}
	if !strings.Contains(out.String(), "\n  \"items\": {") {
		t.Errorf("output is not indented JSON:\n%s", out.String())
	}

	// -fast: one round trip, no scan-tier fields.
	out.Reset()
	if code := run([]string{"-fast", rt.URL}, &out, &errOut); code != 0 {
		t.Fatalf("-fast: exit %d, stderr %q", code, errOut.String())
	}
	if strings.Contains(out.String(), `"sizes"`) || !strings.Contains(out.String(), `"total": 12`) {
		t.Errorf("-fast output:\n%s", out.String())
	}
}

func TestProbeFailures(t *testing.T) {
	gone := "scgi://" + filepath.Join(t.TempDir(), "rpc.socket")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{gone}, 1, `rtmon-probe: rtorrent "probe" (` + gone + `): dial: no such file or directory` + "\n"},
		{[]string{"ftp://x"}, 1, `rtmon-probe: rtorrent "probe": URL "ftp://x": unknown scheme "ftp" (want scgi, http or https)` + "\n"},
		{[]string{}, 2, "usage: rtmon-probe"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.HasPrefix(errOut.String(), tt.want) || out.Len() != 0 {
			t.Errorf("run(%q) = %d, stderr %q, stdout %q; want %d and stderr starting %q", tt.args, code, errOut.String(), out.String(), tt.code, tt.want)
		}
	}
}
