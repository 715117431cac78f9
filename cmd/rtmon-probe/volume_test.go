package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestProbeVolume: -volume reads twice and prints what each group moved
// in between, bracketed by the leecher's own d.down.total read before and
// after the probe ran.
func TestProbeVolume(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 16 << 20, UploadKiB: 1024})
	sw.WaitTransferring(t, 30*time.Second)
	down := func() int64 {
		return sw.Leecher.MustCall(t, "d.multicall2", "", "main", "d.down.total=").([]any)[0].([]any)[0].(int64)
	}
	before := down()
	var out, errOut bytes.Buffer
	if code := run([]string{"-volume", "2s", sw.Leecher.URL}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	after := down()
	var snap struct {
		Labels []struct {
			Name      string `json:"name"`
			UpBytes   int64  `json:"up_bytes"`
			DownBytes int64  `json:"down_bytes"`
		} `json:"labels"`
	}
	if err := json.Unmarshal(out.Bytes(), &snap); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(snap.Labels) != 1 || snap.Labels[0].Name != "none" {
		t.Fatalf("labels %+v, want the one group none", snap.Labels)
	}
	// At 1 MiB/s for 2 s, well over 256 KiB moved between the two scans,
	// and never more than rTorrent counted around the whole probe run.
	if got := snap.Labels[0].DownBytes; got < 256<<10 || got > after-before {
		t.Errorf("down_bytes %d; rTorrent's d.down.total rose %d around the probe run, want within (256 KiB, that]", got, after-before)
	}
	if sw.Leecher.MustInt(t, "d.complete", sw.Torrents[0].InfoHash) == 1 {
		t.Error("the transfer finished during the probe: the bracket is not a test of the two reads")
	}
}

// TestProbeVolumeBounds: -volume past its bound, negative, or with -fast
// (which reads no items) is refused before any read, with exit 2.
func TestProbeVolumeBounds(t *testing.T) {
	for _, args := range [][]string{
		{"-volume", (maxVolume + time.Nanosecond).String()},
		{"-volume", "-1s"},
		{"-volume", "1s", "-fast"},
	} {
		var out, errOut bytes.Buffer
		code := run(append(args, "scgi:///nonexistent/rpc.socket"), &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "-volume") || strings.Contains(errOut.String(), "dial") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a -volume message, no read", args, code, errOut.String())
		}
	}
}
