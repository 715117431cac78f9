package reader

import (
	"context"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestSwarm reads a seeder and a leecher during a real transfer.
func TestSwarm(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 6 << 20, UploadKiB: 1024})
	seeder := newReader(t, sw.Seeder.URL, DefaultOptions())
	leecher := newReader(t, sw.Leecher.URL, DefaultOptions())
	ctx := context.Background()

	first, err := leecher.Read(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	sw.WaitTransferring(t, 30*time.Second)
	// The global rates include protocol overhead and move a little before
	// any piece does, so the per-item checks key on the item being active.
	var sawDown, sawUp, leecherActive, seederActive bool
	var lastDown int64
	waitFor(t, 90*time.Second, "the leecher to finish", func() bool {
		s, err := seeder.Read(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		l, err := leecher.Read(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if l.Traffic.DownTotal < lastDown {
			t.Fatalf("down total fell from %d to %d", lastDown, l.Traffic.DownTotal)
		}
		lastDown = l.Traffic.DownTotal
		sawDown = sawDown || l.Traffic.DownRate > 0
		sawUp = sawUp || s.Traffic.UpRate > 0
		// Complete comes from the fast tier, active too (moving.go), peers
		// from the scan a moment later: left bytes from that same scan say
		// the download had not ended (and the seeder not parted) by then.
		if deref(l.Items.Active) == 1 && l.Items.Complete == 0 && l.Sizes != nil && l.Sizes.LeftBytes > 0 {
			leecherActive = true
			if l.Items.Leeching != 1 || l.Peers.Connected != 1 || l.Peers.Seeds != 1 {
				t.Errorf("leecher while downloading: leeching %d, peers %+v; want 1 leeching, 1 peer that is a seed", l.Items.Leeching, l.Peers)
			}
		}
		// The peer may part a moment before the rates decay, so this is
		// required to be seen, not to hold at every read.
		if deref(s.Items.Active) == 1 && s.Items.Seeding == 1 && s.Peers.Connected == 1 && s.Peers.Seeds == 0 {
			seederActive = true
		}
		return l.Items.Complete == 1
	})
	if !sawDown || !sawUp || !leecherActive || !seederActive {
		t.Errorf("seen: down rate > 0 %v, up rate > 0 %v, leecher active %v, seeder active with its one leeching peer %v; want all", sawDown, sawUp, leecherActive, seederActive)
	}
	// Finished is counted once, and the item now counts as seeding.
	var last *Snapshot
	for i := 0; i < 3; i++ {
		if last, err = leecher.Read(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	if last.Events.Finished != 1 || last.Items.Seeding != 1 || last.Items.Leeching != 0 {
		t.Errorf("after completion: finished %d seeding %d leeching %d; want 1, 1, 0", last.Events.Finished, last.Items.Seeding, last.Items.Leeching)
	}
	if last.Traffic.DownTotal <= first.Traffic.DownTotal || last.Traffic.DownTotal < 6<<20 {
		t.Errorf("down total %d → %d, want it to rise past the 6 MiB moved", first.Traffic.DownTotal, last.Traffic.DownTotal)
	}
}
