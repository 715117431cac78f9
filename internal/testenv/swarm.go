package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SwarmOptions shape StartSwarm.
type SwarmOptions struct {
	Torrents  int // how many torrents; default 1
	Size      int // bytes per torrent; default 8 MiB
	UploadKiB int // seeder's global upload throttle; default 500, so a transfer lasts long enough to watch rates
}

// Swarm is a tracker, a seeder holding all data, and a leecher fetching it.
type Swarm struct {
	Tracker         *Tracker
	Seeder, Leecher *RTorrent
	Torrents        []Torrent
}

// Seeder and leecher bind to distinct loopback addresses: two rTorrents on
// the same 127.0.0.1 never connect to each other (rTorrent drops a peer
// whose address is its own), and opentracker reports the announce's source
// address, so each client must also announce from its own address.
const (
	seederAddr  = "127.0.0.2"
	leecherAddr = "127.0.0.3"
)

// StartSwarm starts opentracker, a seeder (127.0.0.2) that hash-checks the
// data and seeds it, and a leecher (127.0.0.3) with an empty download dir
// that loads the same torrents started. Both announce to the tracker; data
// flows at about UploadKiB. It returns once the seeder seeds every torrent;
// use WaitTransferring to wait for bytes to move.
func StartSwarm(t TB, opts SwarmOptions) *Swarm {
	t.Helper()
	if opts.Torrents <= 0 {
		opts.Torrents = 1
	}
	if opts.Size <= 0 {
		opts.Size = 8 << 20
	}
	if opts.UploadKiB <= 0 {
		opts.UploadKiB = 500
	}
	s := &Swarm{}
	s.Seeder = StartRTorrent(t, RTorrentOptions{BindAddress: seederAddr, UploadKiB: opts.UploadKiB})

	// Torrents need the announce URL and the tracker needs their hashes
	// at start (it reads its whitelist then): pick the port first. The data
	// goes straight into the seeder's download dir.
	port := FreePort(t, "127.0.0.1")
	announce := fmt.Sprintf("http://127.0.0.1:%d/announce", port)
	hashes := make([]string, opts.Torrents)
	for i := range hashes {
		tor := MakeTorrent(t, s.Seeder.DownloadDir, fmt.Sprintf("swarm-%02d.bin", i), opts.Size, announce)
		s.Torrents = append(s.Torrents, tor)
		hashes[i] = tor.InfoHash
	}
	s.Tracker = startTracker(t, port, hashes)

	metas := Metas(s.Torrents)
	s.Seeder.LoadRaw(t, metas, true)
	s.Seeder.WaitItems(t, len(metas), 30*time.Second)
	s.waitSeeding(t, 60*time.Second)

	s.Leecher = StartRTorrent(t, RTorrentOptions{BindAddress: leecherAddr})
	s.Leecher.LoadRaw(t, metas, true)
	s.Leecher.WaitItems(t, len(metas), 30*time.Second)
	return s
}

// waitSeeding waits until the seeder has checked every torrent complete and
// is started.
func (s *Swarm) waitSeeding(t TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v := s.Seeder.MustCall(t, "d.multicall2", "", "main", "d.hash=", "d.complete=", "d.state=", "d.hashing=")
		rows, _ := v.([]any)
		ok := len(rows) == len(s.Torrents)
		for _, row := range rows {
			r, _ := row.([]any)
			if len(r) != 4 || r[1] != int64(1) || r[2] != int64(1) || r[3] != int64(0) {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: seeder not seeding after %v: [hash complete state hashing] = %v", timeout, rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitTransferring waits until real data flows from seeder to leecher:
// the leecher's global download rate is above zero and it holds at least
// one verified piece. The rate alone turns positive from handshake bytes.
func (s *Swarm) WaitTransferring(t TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rate := s.Leecher.MustInt(t, "throttle.global_down.rate")
		var done int64
		rows, _ := s.Leecher.MustCall(t, "d.multicall2", "", "main", "d.bytes_done=").([]any)
		for _, row := range rows {
			if r, ok := row.([]any); ok && len(r) == 1 {
				n, _ := r[0].(int64)
				done += n
			}
		}
		if rate > 0 && done > 0 {
			return
		}
		if time.Now().After(deadline) {
			items := s.Leecher.MustCall(t, "d.multicall2", "", "main", "d.hash=", "d.peers_connected=", "d.bytes_done=", "d.message=")
			t.Fatalf("testenv: no data flows after %v: leecher down rate %d, bytes done %d; items [hash peers bytes_done message] = %v",
				timeout, rate, done, items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// RestartIfComplete starts tor over on the leecher once it has it all:
// erased, its data removed, loaded again started. The demo and the
// benchmarks call it every few seconds so data keeps moving for as long as
// they run. An incomplete torrent is left alone.
func (s *Swarm) RestartIfComplete(tor Torrent) error {
	l := s.Leecher
	done, err := l.Call("d.complete", tor.InfoHash)
	if err != nil || done != int64(1) {
		return err
	}
	if _, err := l.Call("d.erase", tor.InfoHash); err != nil {
		return fmt.Errorf("d.erase %s: %w", tor.Name, err)
	}
	if err := os.RemoveAll(filepath.Join(l.DownloadDir, tor.Name)); err != nil {
		return err
	}
	_, err = l.Call("load.raw_start", "", tor.Meta, `d.directory.set="`+l.DownloadDir+`"`)
	return err
}
