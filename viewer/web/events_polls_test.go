package web

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// countingProxy sits between the viewer and collectd's real unixsock
// socket and counts the LISTVAL commands passing through: the ground truth
// of how often the viewer reads collectd, kept apart from the poller's own
// counter.
type countingProxy struct {
	Sock     string
	listvals atomic.Int64
}

func startCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	p := &countingProxy{Sock: filepath.Join(t.TempDir(), "proxy.sock")}
	ln, err := net.Listen("unix", p.Sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("unix", target)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(c, s); c.Close() }()
			go func() {
				defer wg.Done()
				defer s.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if strings.HasPrefix(line, "LISTVAL") {
						p.listvals.Add(1)
					}
					if line != "" {
						if _, werr := io.WriteString(s, line); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return p
}

// TestEventsShareOnePoll: N clients on /events cost collectd the polls of
// one. Each client waits for a few fresh snapshots; over that window
// collectd sees about one LISTVAL per snapshot, far fewer than one per
// client per snapshot, which is what clients polling on their own would
// cost. The poller's own count (unixsock_polls) matches the proxy's.
func TestEventsShareOnePoll(t *testing.T) {
	if testing.Short() {
		t.Skip("starts collectd")
	}
	const (
		clients = 40
		fresh   = 3 // new snapshots every client must see
	)
	cd := collectdenv.StartCollectd(t, collectdenv.Options{Host: "ssepolls"})
	cd.WaitValues(t, 30*time.Second, "load/load")
	proxy := startCountingProxy(t, cd.Sock)
	sv := startServer(t, serverOptions{DataDir: cd.DataDir, Socket: proxy.Sock, Hostname: "ssepolls",
		Interval: 300 * time.Millisecond})

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// Each client reports every snapshot id it receives on its channel.
	ids := make([]chan string, clients)
	var wg sync.WaitGroup
	for i := range ids {
		ids[i] = make(chan string, 64)
		wg.Add(1)
		go func(out chan<- string) {
			defer wg.Done()
			defer close(out)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sv.URL+"/events", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("/events: %v", err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("/events: status %d", resp.StatusCode)
				return
			}
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
					select {
					case out <- id:
					case <-ctx.Done():
						return
					}
				}
			}
		}(ids[i])
	}
	defer func() { cancel(); wg.Wait() }()

	// next waits for client i's next snapshot id.
	next := func(i int) string {
		select {
		case id, ok := <-ids[i]:
			if !ok {
				t.Fatalf("client %d: stream ended", i)
			}
			return id
		case <-ctx.Done():
			t.Fatalf("client %d: no snapshot within the deadline", i)
		}
		return ""
	}
	for i := range clients {
		next(i)
	}
	// All clients are connected. Every one now waits for `fresh`
	// snapshots newer than the current one (ids are snapshot times); a
	// poll under way at this point may have sent its LISTVAL already.
	listvals0, polls0 := proxy.listvals.Load(), sv.Poller.UnixsockPolls()
	cur, err := sv.Poller.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range clients {
		seen := map[string]bool{}
		for len(seen) < fresh {
			id := next(i)
			if at, err := strconv.ParseFloat(id, 64); err != nil {
				t.Fatalf("client %d: id %q", i, id)
			} else if at > cur.Time {
				seen[id] = true
			}
		}
	}
	listvals, polls := proxy.listvals.Load()-listvals0, sv.Poller.UnixsockPolls()-polls0

	if listvals < fresh-1 {
		t.Errorf("collectd saw %d LISTVALs while every client got %d fresh snapshots: the proxy is not in the path", listvals, fresh)
	}
	// One poll per snapshot, plus slack for a loaded machine on which
	// slow clients skip snapshots; clients polling on their own would
	// cost at least clients*fresh.
	if listvals >= clients {
		t.Errorf("%d clients each receiving %d fresh snapshots cost collectd %d LISTVALs; want about %d (one per snapshot), far below %d",
			clients, fresh, listvals, fresh, clients*fresh)
	}
	if d := polls - listvals; d < -1 || d > 1 {
		t.Errorf("the poller counted %d unixsock polls, collectd saw %d LISTVALs", polls, listvals)
	}
	t.Logf("%d clients, %d fresh snapshots each: %d LISTVALs, %d polls counted", clients, fresh, listvals, polls)
}
