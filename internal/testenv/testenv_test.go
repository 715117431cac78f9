package testenv

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

func waitGone(t *testing.T, what string, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for Alive(pid) {
		if time.Now().After(deadline) {
			t.Errorf("%s (pid %d, %s) still running", what, pid, comm(pid))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRTorrentUnixSocket(t *testing.T) {
	start := time.Now()
	r := StartRTorrent(t, RTorrentOptions{DownloadKiB: 300, UploadKiB: 200})
	t.Logf("rTorrent answered after %v", time.Since(start))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("StartRTorrent took %v, want well under a few seconds", took)
	}
	if r.Socket == "" || r.Addr != "" || r.URL != "scgi://"+r.Socket || !strings.HasPrefix(r.URL, "scgi:///") {
		t.Errorf("Socket %q Addr %q URL %q: want a unix socket URL scgi:///...", r.Socket, r.Addr, r.URL)
	}
	if st, err := os.Stat(r.Socket); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Errorf("%s is not a socket: %v %v", r.Socket, st, err)
	}
	if got := r.MustInt(t, "system.pid"); int(got) != r.PID {
		t.Errorf("system.pid = %d, want the process PID %d", got, r.PID)
	}
	if c := comm(r.PID); c != "rtorrent" && c != "rtorrent main" {
		t.Errorf("PID %d runs %q, want rtorrent", r.PID, c)
	}
	if got := r.MustInt(t, "throttle.global_down.max_rate"); got != 300*1024 {
		t.Errorf("global down max rate %d, want %d", got, 300*1024)
	}
	if got := r.MustInt(t, "throttle.global_up.max_rate"); got != 200*1024 {
		t.Errorf("global up max rate %d, want %d", got, 200*1024)
	}
	if got := r.MustCall(t, "network.bind_address"); got != "127.0.0.1" {
		t.Errorf("bind address %v, want 127.0.0.1", got)
	}
	if got, want := r.MustCall(t, "network.port_range"), fmt.Sprintf("%d-%d", r.PeerPort, r.PeerPort); got != want {
		t.Errorf("port range %v, want %s", got, want)
	}
	if got := r.MustCall(t, "directory.default"); got != r.DownloadDir {
		t.Errorf("directory.default %v, want %s", got, r.DownloadDir)
	}
	if got := r.MustCall(t, "session.path"); got != r.SessionDir+"/" && got != r.SessionDir {
		t.Errorf("session.path %v, want %s", got, r.SessionDir)
	}
	if !r.Running() {
		t.Error("Running() = false for a live rTorrent")
	}
}

func TestRTorrentTCP(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{TCP: true, BindAddress: "127.0.0.5"})
	if r.Socket != "" || !strings.HasPrefix(r.Addr, "127.0.0.1:") || r.URL != "scgi://"+r.Addr {
		t.Errorf("Socket %q Addr %q URL %q: want TCP on 127.0.0.1", r.Socket, r.Addr, r.URL)
	}
	if got := r.MustInt(t, "system.pid"); int(got) != r.PID {
		t.Errorf("system.pid = %d, want the process PID %d", got, r.PID)
	}
	if got := r.MustCall(t, "network.bind_address"); got != "127.0.0.5" {
		t.Errorf("bind address %v, want 127.0.0.5", got)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "rpc.socket")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("TCP instance made a unix socket too: %v", err)
	}
}

func TestCallFaultAndTypes(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	_, err := r.Call("no.such.method")
	var f *Fault
	if !errors.As(err, &f) || f.Code != -506 {
		t.Fatalf("unknown method: err %v, want fault -506", err)
	}
	// Integers come back as int64 even above 32 bits; strings as string.
	r.MustCall(t, "pieces.memory.max.set", "", int64(5)<<30)
	if got := r.MustCall(t, "pieces.memory.max"); got != int64(5)<<30 {
		t.Errorf("pieces.memory.max round trip: got %T %v, want %d", got, got, int64(5)<<30)
	}
	if v, ok := r.MustCall(t, "system.client_version").(string); !ok || !strings.HasPrefix(v, "0.9") {
		t.Errorf("client version %v, want a 0.9.x string", v)
	}
	// system.multicall returns one single-element array per call, faults as structs.
	v := r.MustCall(t, "system.multicall", []any{
		map[string]any{"methodName": "system.pid", "params": []any{}},
		map[string]any{"methodName": "nope", "params": []any{}},
	})
	res, _ := v.([]any)
	if len(res) != 2 {
		t.Fatalf("multicall: %v", v)
	}
	if pid, _ := res[0].([]any); len(pid) != 1 || pid[0] != int64(r.PID) {
		t.Errorf("multicall system.pid: %v", res[0])
	}
	if fm, _ := res[1].(map[string]any); fm["faultCode"] != int64(-506) {
		t.Errorf("multicall fault: %v", res[1])
	}
}

func TestLoadRawThousandFakes(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	tors := FakeTorrents(1000, "http://127.0.0.1:1/announce", "load")
	start := time.Now()
	r.LoadRaw(t, Metas(tors), false)
	r.WaitItems(t, 1000, time.Minute)
	t.Logf("1,000 items loaded in %v", time.Since(start))

	// Ground truth from rTorrent itself: same hashes, sizes, file counts,
	// all stopped, all in DownloadDir.
	want := map[string]Torrent{}
	var wantSize, wantFiles int64
	for _, tor := range tors {
		want[tor.InfoHash] = tor
		wantSize += tor.Size
		wantFiles += int64(tor.Files)
	}
	rows := r.MustCall(t, "d.multicall2", "", "main",
		"d.hash=", "d.name=", "d.size_bytes=", "d.size_files=", "d.state=", "d.directory=").([]any)
	if len(rows) != 1000 {
		t.Fatalf("d.multicall2 rows %d, want 1000", len(rows))
	}
	var gotSize, gotFiles int64
	for _, row := range rows {
		f := row.([]any)
		tor, ok := want[f[0].(string)]
		if !ok {
			t.Fatalf("rTorrent has unknown hash %v", f[0])
		}
		delete(want, tor.InfoHash)
		if f[1] != tor.Name || f[2] != tor.Size || f[3] != int64(tor.Files) || f[4] != int64(0) {
			t.Errorf("item %s: [name size files state] = %v, want [%s %d %d 0]", tor.InfoHash, f[1:5], tor.Name, tor.Size, tor.Files)
		}
		dir := f[5].(string)
		if tor.Files == 1 && dir != r.DownloadDir || tor.Files > 1 && dir != filepath.Join(r.DownloadDir, tor.Name) {
			t.Errorf("item %s (%d files) directory %q, want under %s", tor.Name, tor.Files, dir, r.DownloadDir)
		}
		gotSize += f[2].(int64)
		gotFiles += f[3].(int64)
	}
	if gotSize != wantSize || gotFiles != wantFiles {
		t.Errorf("sums: size %d files %d, want %d %d", gotSize, gotFiles, wantSize, wantFiles)
	}
	if wantFiles == 1000 {
		t.Errorf("every fake torrent has one file: sums over files are trivial")
	}
	if hs := r.Hashes(t); len(hs) != 1000 || hs[0] == "" {
		t.Errorf("Hashes: %d, first %q", len(hs), hs[0])
	}
	if n := r.MustInt(t, "view.size", "", "stopped"); n != 1000 {
		t.Errorf("view.size stopped = %d, want 1000", n)
	}
}

func TestFakeTorrentsUniqueDeterministicFast(t *testing.T) {
	start := time.Now()
	tors := FakeTorrents(50000, "http://127.0.0.1:6969/announce", "u")
	took := time.Since(start)
	t.Logf("50,000 fake torrents in %v", took)
	if took > 10*time.Second {
		t.Errorf("FakeTorrents(50000) took %v, want a couple of seconds", took)
	}
	hashes, names := map[string]bool{}, map[string]bool{}
	sizes := map[int64]bool{}
	for _, tor := range tors {
		if len(tor.InfoHash) != 40 || strings.ToUpper(tor.InfoHash) != tor.InfoHash {
			t.Fatalf("info hash %q is not 40 upper-case hex digits", tor.InfoHash)
		}
		hashes[tor.InfoHash], names[tor.Name], sizes[tor.Size] = true, true, true
		if tor.Data != nil || tor.Path != "" {
			t.Fatalf("fake torrent %s has data", tor.Name)
		}
	}
	if len(hashes) != 50000 || len(names) != 50000 {
		t.Errorf("%d distinct hashes, %d distinct names, want 50000", len(hashes), len(names))
	}
	if len(sizes) < 1000 {
		t.Errorf("only %d distinct sizes", len(sizes))
	}
	again := FakeTorrents(3, "http://127.0.0.1:6969/announce", "u")
	other := FakeTorrents(3, "http://127.0.0.1:6969/announce", "v")
	for i := range again {
		if string(again[i].Meta) != string(tors[i].Meta) {
			t.Errorf("same seed gave different torrent %d", i)
		}
		if other[i].InfoHash == tors[i].InfoHash {
			t.Errorf("different seeds gave the same hash %s", other[i].InfoHash)
		}
	}
}

func TestMakeTorrentIsCompleteAfterHashing(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	tor := MakeTorrent(t, r.DownloadDir, "real.bin", 3<<20+12345, "http://127.0.0.1:1/announce")
	if b, err := os.ReadFile(tor.Path); err != nil || len(b) != len(tor.Data) || string(b) != string(tor.Data) {
		t.Fatalf("data file %s: %v (len %d)", tor.Path, err, len(b))
	}
	r.LoadRaw(t, [][]byte{tor.Meta}, false)
	r.WaitItems(t, 1, 10*time.Second)
	r.MustCall(t, "d.check_hash", tor.InfoHash)
	deadline := time.Now().Add(20 * time.Second)
	for r.MustInt(t, "d.complete", tor.InfoHash) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("d.complete still 0, chunks done %d of %d", r.MustInt(t, "d.completed_chunks", tor.InfoHash), r.MustInt(t, "d.size_chunks", tor.InfoHash))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := r.MustInt(t, "d.size_bytes", tor.InfoHash); got != tor.Size {
		t.Errorf("d.size_bytes %d, want %d", got, tor.Size)
	}
	if got := r.MustInt(t, "d.left_bytes", tor.InfoHash); got != 0 {
		t.Errorf("d.left_bytes %d, want 0", got)
	}
}

func TestRestartGivesNewPIDAndKeepsItems(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	r.LoadRaw(t, Metas(FakeTorrents(10, "http://127.0.0.1:1/announce", "restart")), false)
	r.WaitItems(t, 10, 10*time.Second)
	oldPID, oldURL := r.PID, r.URL
	r.Restart(t)
	if r.PID == oldPID || r.URL != oldURL {
		t.Errorf("after Restart PID %d URL %s, want a new PID (was %d) and URL %s", r.PID, r.URL, oldPID, oldURL)
	}
	waitGone(t, "old rtorrent", oldPID)
	if got := r.MustInt(t, "system.pid"); int(got) != r.PID {
		t.Errorf("system.pid %d, want %d", got, r.PID)
	}
	r.WaitItems(t, 10, 10*time.Second) // the session brought them back
}

func TestPauseResumeKill(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{TCP: true})
	r.Timeout = 300 * time.Millisecond
	r.Pause()
	if _, err := r.Call("system.pid"); err == nil {
		t.Error("a paused rTorrent answered")
	}
	r.Resume()
	if got, err := r.Call("system.pid"); err != nil || got != int64(r.PID) {
		t.Errorf("after Resume: %v %v", got, err)
	}
	pid := r.PID
	r.Kill()
	if Alive(pid) || r.Running() {
		t.Errorf("pid %d alive after Kill", pid)
	}
	if _, err := r.Call("system.pid"); err == nil {
		t.Error("a killed rTorrent answered")
	}
}

func TestStopIsGraceful(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	pid := r.PID
	start := time.Now()
	r.Stop()
	if Alive(pid) {
		t.Fatalf("pid %d alive after Stop", pid)
	}
	// SIGTERM, not the SIGKILL fallback: Stop returned before the 5 s grace.
	if took := time.Since(start); took >= 5*time.Second {
		t.Errorf("Stop took %v: rTorrent did not exit on SIGTERM", took)
	}
}

func TestSwarmMovesRealData(t *testing.T) {
	start := time.Now()
	s := StartSwarm(t, SwarmOptions{})
	t.Logf("swarm up in %v", time.Since(start))
	s.WaitTransferring(t, 30*time.Second)
	t.Logf("transferring after %v", time.Since(start))
	tor := s.Torrents[0]
	if got := s.Seeder.MustInt(t, "d.complete", tor.InfoHash); got != 1 {
		t.Errorf("seeder d.complete = %d, want 1", got)
	}
	if got := s.Seeder.MustCall(t, "network.bind_address"); got != seederAddr {
		t.Errorf("seeder bound to %v", got)
	}
	first := s.Leecher.MustInt(t, "d.bytes_done", tor.InfoHash)
	time.Sleep(1500 * time.Millisecond)
	second := s.Leecher.MustInt(t, "d.bytes_done", tor.InfoHash)
	if second <= first {
		t.Errorf("leecher bytes_done did not rise: %d then %d", first, second)
	}
	if second >= tor.Size {
		t.Errorf("leecher already has all %d bytes: the throttle did not hold", tor.Size)
	}
	if rate := s.Leecher.MustInt(t, "throttle.global_down.rate"); rate <= 0 {
		t.Errorf("leecher global down rate %d, want > 0", rate)
	}
	if rate := s.Seeder.MustInt(t, "throttle.global_up.rate"); rate <= 0 {
		t.Errorf("seeder global up rate %d, want > 0", rate)
	}
	if got := s.Leecher.MustInt(t, "d.complete", tor.InfoHash); got != 0 {
		t.Errorf("leecher complete already")
	}
	// The tracker saw both: one seeder, one leecher.
	if c, i := s.Tracker.Scrape(t, tor.InfoHash); c != 1 || i != 1 {
		t.Errorf("tracker scrape complete %d incomplete %d, want 1 and 1", c, i)
	}
	// The leecher's file really holds the seeder's bytes: some whole
	// pieces match (pieces arrive in rarest-first order, not from the start).
	b, err := os.ReadFile(filepath.Join(s.Leecher.DownloadDir, tor.Name))
	if err != nil {
		t.Fatalf("leecher data: %v", err)
	}
	pl := int(s.Leecher.MustInt(t, "d.chunk_size", tor.InfoHash))
	same := 0
	for off := 0; off+pl <= len(b) && off+pl <= len(tor.Data); off += pl {
		if string(b[off:off+pl]) == string(tor.Data[off:off+pl]) {
			same++
		}
	}
	done := s.Leecher.MustInt(t, "d.bytes_done", tor.InfoHash) // after the read
	if same == 0 || same*pl > int(done) {
		t.Errorf("%d pieces of %d bytes in the leecher's file match the seeder's, with %d bytes done", same, pl, done)
	}
}

func TestTrackerWhitelist(t *testing.T) {
	tors := FakeTorrents(2, "", "wl")
	// A hash with a 0x20 byte: url.QueryEscape would send it as '+', which
	// opentracker takes literally, so it would be refused.
	var space Torrent
	for _, tor := range FakeTorrents(500, "", "space") {
		if raw, _ := hex.DecodeString(tor.InfoHash); bytes.IndexByte(raw, ' ') >= 0 {
			space = tor
			break
		}
	}
	if space.InfoHash == "" {
		t.Fatal("no fake torrent with a 0x20 byte in its hash")
	}
	tr := StartTracker(t, []string{space.InfoHash, tors[0].InfoHash})
	if err := tr.probe(space.InfoHash); err != nil {
		t.Errorf("whitelisted hash with a 0x20 byte refused: %v", err)
	}
	if err := tr.probe(tors[0].InfoHash); err != nil {
		t.Errorf("whitelisted hash refused: %v", err)
	}
	if err := tr.probe(tors[1].InfoHash); err == nil || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("hash not on the whitelist: err %v, want refusal", err)
	}
	if os.Geteuid() == 0 {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", tr.PID)); !strings.Contains(string(b), "Uid:\t65534") {
			t.Errorf("opentracker should run as nobody when we are root")
		}
	}
}

func TestNginxBasicAuth(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	n := StartNginx(t, r.Socket, "alice", "s3cr:t pass")
	if !strings.HasPrefix(n.URL, "http://127.0.0.1:") || !strings.HasSuffix(n.URL, "/RPC2") {
		t.Errorf("URL %q", n.URL)
	}
	v, err := n.Call("system.pid")
	if err != nil || v != int64(r.PID) {
		t.Fatalf("through nginx: system.pid = %v, %v; want %d", v, err, r.PID)
	}
	// A big request and reply pass too (load.raw of a real torrent body).
	tors := FakeTorrents(200, "http://127.0.0.1:1/announce", "ngx")
	var calls []any
	for _, tor := range tors {
		calls = append(calls, map[string]any{"methodName": "load.raw", "params": []any{"", tor.Meta}})
	}
	if _, err := n.Call("system.multicall", calls); err != nil {
		t.Fatalf("multicall through nginx: %v", err)
	}
	r.WaitItems(t, 200, 20*time.Second)
	for _, c := range []struct{ user, pass string }{{"alice", "wrong"}, {"bob", "s3cr:t pass"}, {"", ""}} {
		_, code, err := PostXMLRPC(n.URL, c.user, c.pass, "system.pid")
		if code != 401 || err == nil {
			t.Errorf("user %q password %q: HTTP %d err %v, want 401", c.user, c.pass, code, err)
		}
	}
}

// TestNeedPolicy: without -short a missing program fails the test, naming
// it and `make deps`; under -short Need skips, installed or not, and the
// message names what the test needs and what is missing. Plays both modes
// through need, so it runs in either.
func TestNeedPolicy(t *testing.T) {
	for _, c := range []struct {
		name     string
		short    bool
		bins     []string
		fatal    bool
		skipped  bool
		contains []string
	}{
		{"missing fails", false, []string{"sh", "no-such-binary-rtmon"}, true, false, []string{`"no-such-binary-rtmon"`, "make deps"}},
		{"missing path fails", false, []string{"/dev/null"}, true, false, []string{`"/dev/null"`, "make deps"}},
		{"present passes", false, []string{"sh"}, false, false, nil},
		{"short skips missing", true, []string{"sh", "no-such-binary-rtmon"}, false, true, []string{"-short", "sh, no-such-binary-rtmon", "missing here: no-such-binary-rtmon"}},
		{"short skips present", true, []string{"sh"}, false, true, []string{"-short", "needs sh"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ft := runFake(t, func(tb testing.TB) { need(tb, c.short, c.bins) })
			if ft.fatal != c.fatal || ft.skipped != c.skipped {
				t.Errorf("fatal %v skipped %v, want %v %v; message %q", ft.fatal, ft.skipped, c.fatal, c.skipped, ft.msg())
			}
			for _, w := range c.contains {
				if !strings.Contains(ft.msg(), w) {
					t.Errorf("message %q lacks %q", ft.msg(), w)
				}
			}
		})
	}
}

// TestNeedSkipsUnderShort: Need itself, as tests call it, skips under
// -short and otherwise finds the installed daemons.
func TestNeedSkipsUnderShort(t *testing.T) {
	ft := runFake(t, func(tb testing.TB) { Need(tb, "rtorrent", "nginx", "opentracker") })
	if testing.Short() != ft.skipped || ft.fatal {
		t.Errorf("short %v: skipped %v fatal %v: %s", testing.Short(), ft.skipped, ft.fatal, ft.msg())
	}
}

// TestBadRCFailsWithRTorrentsMessage: a broken ExtraRC line makes rTorrent
// exit at once; StartRTorrent must fail fast and show rTorrent's reason.
func TestBadRCFailsWithRTorrentsMessage(t *testing.T) {
	Need(t, "rtorrent")
	start := time.Now()
	ft := runFake(t, func(tb testing.TB) {
		StartRTorrent(tb, RTorrentOptions{ExtraRC: []string{"no.such.command = 1"}})
	})
	if !ft.fatal || !strings.Contains(ft.msg(), `Command "no.such.command" does not exist`) {
		t.Errorf("fatal %v, message %q", ft.fatal, ft.msg())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v to notice rTorrent exited", took)
	}
}

// TestTakenPortIsRetried hands rTorrent and nginx a port that is taken, as
// happens when another process grabs it after FreePort: they must start
// anyway, on another port.
func TestTakenPortIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func(t TB, host string) int {
		calls++
		if calls == 1 {
			return taken
		}
		return FreePort(t, host)
	}
	defer func() { pickPort = FreePort }()

	r := StartRTorrent(t, RTorrentOptions{}) // first port: the peer port
	if r.PeerPort == taken || calls < 2 {
		t.Errorf("rTorrent peer port %d (taken %d), %d picks", r.PeerPort, taken, calls)
	}
	calls = 0
	n := StartNginx(t, r.Socket, "u", "p")
	if strings.Contains(n.URL, fmt.Sprintf(":%d/", taken)) || calls < 2 {
		t.Errorf("nginx URL %s (taken %d), %d picks", n.URL, taken, calls)
	}
	if v, err := n.Call("system.pid"); err != nil || v != int64(r.PID) {
		t.Errorf("through nginx: %v %v", v, err)
	}
}

// TestLoadRawRefusesTorrentWithoutTracker: rTorrent would drop it silently
// and WaitItems would time out with no hint.
func TestLoadRawRefusesTorrentWithoutTracker(t *testing.T) {
	r := StartRTorrent(t, RTorrentOptions{})
	ft := runFake(t, func(tb testing.TB) { r.LoadRaw(tb, Metas(FakeTorrents(1, "", "noann")), false) })
	if !ft.fatal || !strings.Contains(ft.msg(), "no announce URL") {
		t.Errorf("fatal %v, message %q", ft.fatal, ft.msg())
	}
	// and the claim holds: rTorrent itself accepts the call and drops the item.
	meta := FakeTorrents(1, "", "noann")[0].Meta
	if _, err := r.Call("load.raw", "", meta); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := r.MustInt(t, "view.size", "", "main"); n != 0 {
		t.Errorf("rTorrent 0.9.8 kept a torrent without a tracker (%d items): LoadRaw's refusal is obsolete", n)
	}
}

// TestCleanupLeavesNoProcess runs everything in a subtest and checks after
// its cleanups that no process and no directory is left.
func TestCleanupLeavesNoProcess(t *testing.T) {
	var pids map[string]int
	var dirs []string
	t.Run("start everything", func(t *testing.T) {
		unix := StartRTorrent(t, RTorrentOptions{})
		tcp := StartRTorrent(t, RTorrentOptions{TCP: true})
		tcp.Pause() // a stopped process must die too
		s := StartSwarm(t, SwarmOptions{Size: 1 << 20})
		n := StartNginx(t, unix.Socket, "u", "p")
		pids = map[string]int{"unix rtorrent": unix.PID, "tcp rtorrent": tcp.PID, "seeder": s.Seeder.PID,
			"leecher": s.Leecher.PID, "opentracker": s.Tracker.PID, "nginx": n.PID}
		dirs = []string{unix.Dir, tcp.Dir, s.Seeder.Dir, s.Leecher.Dir, s.Tracker.Dir, n.Dir}
		for what, pid := range pids {
			if !Alive(pid) {
				t.Errorf("%s (pid %d) not running", what, pid)
			}
		}
	})
	for what, pid := range pids {
		waitGone(t, what, pid)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dir %s left behind: %v", d, err)
		}
	}
}

// TestCleanupOnFailure drives the cleanup path of a failed test through a
// fake testing.TB, so the real test need not fail.
func TestCleanupOnFailure(t *testing.T) {
	Need(t, "rtorrent")
	var pid int
	var log string
	ft := runFake(t, func(tb testing.TB) {
		r := StartRTorrent(tb, RTorrentOptions{})
		pid, log = r.PID, r.Log
		tb.Fatalf("the test under test fails")
	})
	if !ft.fatal || pid == 0 {
		t.Fatalf("fake test did not fail after starting rTorrent (pid %d)", pid)
	}
	ft.runCleanups()
	waitGone(t, "rtorrent of the failed test", pid)
	if !strings.Contains(ft.msg(), "rtorrent log") || !strings.Contains(ft.msg(), log) {
		t.Errorf("no log tail printed on failure: %q", ft.msg())
	}
}

// TestNoOrphansWhenTestBinaryDies starts daemons in a child test binary,
// SIGKILLs that child (as a go test timeout or ^C would end it, without
// running cleanups) and checks that the daemons die with it.
func TestNoOrphansWhenTestBinaryDies(t *testing.T) {
	if os.Getenv("TESTBED_ORPHAN_CHILD") == "1" {
		t.Skip("the child's own run")
	}
	Need(t, "rtorrent", "opentracker", "nginx")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOrphanChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TESTBED_ORPHAN_CHILD=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pids := map[string]int{}
	var dirs []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "DIRS "); ok {
			dirs = strings.Fields(rest)
		}
		if rest, ok := strings.CutPrefix(line, "PIDS "); ok {
			for _, f := range strings.Fields(rest) {
				k, v, _ := strings.Cut(f, "=")
				pids[k], _ = strconv.Atoi(v)
			}
			break
		}
	}
	if len(pids) != 3 {
		t.Fatalf("child reported pids %v", pids)
	}
	for what, pid := range pids {
		if !Alive(pid) {
			t.Fatalf("%s (pid %d) not running in the child", what, pid)
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	names := make([]string, 0, len(pids))
	for what := range pids {
		names = append(names, what)
	}
	sort.Strings(names)
	for _, what := range names {
		waitGone(t, what+" of the killed test binary", pids[what])
	}
	// Its cleanups never ran, so its dirs are still there, until the next
	// test binary's sweep (run here by hand: ours already ran) removes them.
	if len(dirs) != 3 {
		t.Fatalf("child reported dirs %v", dirs)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("dir of the killed child %s: %v", d, err)
		}
	}
	sweepStale(tempRoot())
	for _, d := range dirs {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale dir %s not swept: %v", d, err)
		}
	}
}

// TestOrphanChild is the child half of TestNoOrphansWhenTestBinaryDies.
func TestOrphanChild(t *testing.T) {
	if os.Getenv("TESTBED_ORPHAN_CHILD") != "1" {
		t.Skip("run by TestNoOrphansWhenTestBinaryDies")
	}
	r := StartRTorrent(t, RTorrentOptions{})
	tr := StartTracker(t, nil)
	n := StartNginx(t, r.Socket, "u", "p")
	fmt.Printf("DIRS %s %s %s\n", r.Dir, tr.Dir, n.Dir)
	fmt.Printf("PIDS rtorrent=%d opentracker=%d nginx=%d\n", r.PID, tr.PID, n.PID)
	time.Sleep(time.Minute) // killed long before
}

// fakeTB is a testing.TB whose Fatal ends only the goroutine it runs in and
// whose cleanups run when we say: for testing failure paths.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	logs     []string
	fatal    bool
	skipped  bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Errorf(format string, args ...any) { f.Logf(format, args...); f.setFatal() }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }
func (f *fakeTB) Skipf(format string, args ...any) {
	f.Logf(format, args...)
	f.skipped = true
	runtime.Goexit()
}
func (f *fakeTB) setFatal()         { f.mu.Lock(); f.fatal = true; f.mu.Unlock() }
func (f *fakeTB) Failed() bool      { f.mu.Lock(); defer f.mu.Unlock(); return f.fatal }
func (f *fakeTB) Cleanup(fn func()) { f.mu.Lock(); f.cleanups = append(f.cleanups, fn); f.mu.Unlock() }
func (f *fakeTB) msg() string       { f.mu.Lock(); defer f.mu.Unlock(); return strings.Join(f.logs, "\n") }

func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}

// runFake runs fn with a fakeTB in its own goroutine (Fatal exits it).
// Cleanups not run by the caller run at the end of the real test.
func runFake(t *testing.T, fn func(testing.TB)) *fakeTB {
	ft := &fakeTB{TB: t}
	t.Cleanup(ft.runCleanups)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ft)
	}()
	<-done
	return ft
}
