package web

import (
	"cmp"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rtmon/rtmon/viewer/auth"
)

// htpasswdFile writes alice:pw-right (bcrypt at the minimum cost) and
// returns its path and the right Authorization header.
func htpasswdFile(t *testing.T) (string, string) {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw-right"), bcrypt.MinCost)
	ht := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(ht, []byte("alice:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ht, "Basic " + b64("alice:pw-right")
}

var wrongPassword = "Basic " + b64("alice:pw-wrong")

// heldCompare is a bcrypt comparison that, once holding is set, the
// test holds until release is closed, counting how many run at once.
type heldCompare struct {
	running, most, calls atomic.Int32
	holding              atomic.Bool
	started              chan struct{}
	release              chan struct{}
}

func newHeldCompare() *heldCompare {
	return &heldCompare{started: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (h *heldCompare) compare(hash, pw []byte) error {
	n := h.running.Add(1)
	defer h.running.Add(-1)
	h.calls.Add(1)
	for m := h.most.Load(); n > m && !h.most.CompareAndSwap(m, n); m = h.most.Load() {
	}
	if h.holding.Load() {
		h.started <- struct{}{}
		<-h.release
	}
	return bcrypt.CompareHashAndPassword(hash, pw)
}

// fromAddr is an HTTP client whose connections come from src, a
// loopback address (all of 127.0.0.0/8 is local on Linux).
func fromAddr(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

func getAs(t *testing.T, c *http.Client, url, authz string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return reply{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

// check429 wants 429 with a Retry-After of whole seconds in [lo, hi],
// no challenge, and a one-line reason containing why.
func check429(t *testing.T, what string, r reply, lo, hi int, why string) {
	t.Helper()
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Code != http.StatusTooManyRequests || err != nil || ra < lo || ra > hi {
		t.Errorf("%s = %d Retry-After %q %s, want 429 with Retry-After in [%d, %d]", what, r.Code, r.Header.Get("Retry-After"), r.Body, lo, hi)
		return
	}
	if r.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("%s: 429 with a challenge (a browser would ask for the password again)", what)
	}
	if b := strings.TrimSuffix(string(r.Body), "\n"); !strings.Contains(b, why) || strings.Contains(b, "\n") {
		t.Errorf("%s: reason %q, want one line with %q", what, b, why)
	}
}

// TestPasswordChecksBounded: bcrypt comparisons are bounded. With every
// slot and queue place held by wrong-password requests, one request
// more gets 429 with Retry-After at once and runs no comparison; the
// number running at once never exceeds the bound (counted by the
// comparison hook, not timed). Before, every request ran its own
// bcrypt: 64 connections took both cores.
func TestPasswordChecksBounded(t *testing.T) {
	for _, tc := range []struct{ checks, queue int }{{1, 0}, {1, 3}, {2, 2}} {
		t.Run(strconv.Itoa(tc.checks)+"+"+strconv.Itoa(tc.queue), func(t *testing.T) {
			ht, good := htpasswdFile(t)
			h := newHeldCompare()
			s := startServer(t, serverOptions{Hostname: "box", Htpasswd: ht, DataDir: t.TempDir(),
				AuthLimits: &auth.Limits{Checks: tc.checks, Queue: cmp.Or(tc.queue, -1), Wait: time.Minute, Failures: 1000, Hold: -1, Rest: -1, Compare: h.compare}})
			// A right password verified before the flood is remembered:
			// it needs no slot while they are all taken.
			if r := get(t, s.URL, "/json/live", "Authorization", good); r.Code != 200 {
				t.Fatalf("right password = %d", r.Code)
			}
			h.calls.Store(0)
			h.holding.Store(true)

			held := tc.checks + tc.queue
			var wg sync.WaitGroup
			codes := make(chan int, held)
			for range held {
				wg.Go(func() { codes <- get(t, s.URL, "/json/live", "Authorization", wrongPassword).Code })
			}
			for range tc.checks {
				<-h.started
			}
			for s.Users.Waiting() < tc.queue {
				time.Sleep(time.Millisecond)
			}
			for i := range 3 {
				r := get(t, s.URL, "/json/live", "Authorization", wrongPassword)
				check429(t, "request "+strconv.Itoa(held+1+i), r, 1, 1, "too many password checks")
				r = get(t, s.URL, "/json/live", "Authorization", "Basic "+b64("alice:new-guess"+strconv.Itoa(i)))
				check429(t, "other password", r, 1, 1, "too many password checks")
			}
			if r := get(t, s.URL, "/json/live", "Authorization", good); r.Code != 200 {
				t.Errorf("remembered right password while the slots are full = %d, want 200", r.Code)
			}
			close(h.release)
			wg.Wait()
			close(codes)
			for c := range codes {
				if c != http.StatusUnauthorized {
					t.Errorf("a held wrong password = %d, want 401", c)
				}
			}
			if m, n := h.most.Load(), h.calls.Load(); m > int32(tc.checks) || n != int32(held) {
				t.Errorf("%d comparisons at once (bound %d), %d in all (want %d: refusals run none)", m, tc.checks, n, held)
			}
		})
	}
}

// TestWrongPasswordFlood: 64 connections sending wrong passwords at once
// with the default limits never run more than DefaultLimits.Checks
// comparisons at once; each is refused with 401 or, beyond the queue,
// 429 with Retry-After.
func TestWrongPasswordFlood(t *testing.T) {
	ht, _ := htpasswdFile(t)
	var running, most atomic.Int32
	l := auth.DefaultLimits
	l.Failures, l.Hold = 1000, -1
	l.Compare = func(hash, pw []byte) error {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond) // long enough for the flood to overlap
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	s := startServer(t, serverOptions{Hostname: "box", Htpasswd: ht, DataDir: t.TempDir(), AuthLimits: &l})
	var wg sync.WaitGroup
	var n401, n429 atomic.Int32
	for range 64 {
		wg.Go(func() {
			c := fromAddr("127.0.0.1")
			for range 4 {
				r := getAs(t, c, s.URL+"/json/live", wrongPassword)
				switch {
				case r.Code == 401:
					n401.Add(1)
				case r.Code == 429 && r.Header.Get("Retry-After") == "1":
					n429.Add(1)
				default:
					t.Errorf("wrong password = %d Retry-After %q", r.Code, r.Header.Get("Retry-After"))
				}
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m > int32(auth.DefaultLimits.Checks) {
		t.Errorf("%d comparisons at once, bound %d", m, auth.DefaultLimits.Checks)
	}
	if n429.Load() == 0 {
		t.Errorf("no 429 among %d requests (%d 401)", 64*4, n401.Load())
	}
	t.Logf("401: %d, 429: %d, most at once: %d", n401.Load(), n429.Load(), most.Load())
}

// TestWrongPasswordThrottle: after Failures wrong passwords from one
// address that address gets 429 with Retry-After for the rest of the
// window, without a bcrypt run, even with the right password (else the
// cache of verified passwords would answer a throttled guesser at
// once); another address logs in meanwhile. The table of addresses is
// bounded: failures from more addresses than it holds keep it at its
// size, forgetting the oldest. A 429 is held back (Limits.Hold) so a
// flood on keep-alive connections costs little CPU to answer.
func TestWrongPasswordThrottle(t *testing.T) {
	ht, good := htpasswdFile(t)
	var calls atomic.Int32
	const failures, clients = 3, 8
	const hold = 200 * time.Millisecond
	l := auth.Limits{Failures: failures, Window: time.Hour, Clients: clients, Hold: hold, Compare: func(hash, pw []byte) error {
		calls.Add(1)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}}
	s := startServer(t, serverOptions{Hostname: "box", Htpasswd: ht, DataDir: t.TempDir(), AuthLimits: &l})
	url := s.URL + "/json/live"
	other := fromAddr("127.0.0.3")
	if r := getAs(t, other, url, good); r.Code != 200 { // remembered from now on
		t.Fatalf("right password from 127.0.0.3 = %d", r.Code)
	}
	attacker := fromAddr("127.0.0.2")
	for i := range failures {
		if r := getAs(t, attacker, url, wrongPassword); r.Code != 401 {
			t.Fatalf("wrong password %d = %d, want 401", i+1, r.Code)
		}
	}
	before := calls.Load()
	for _, authz := range []string{wrongPassword, "Basic " + b64("bob:guess"), good} {
		t0 := time.Now()
		check429(t, "throttled address", getAs(t, attacker, url, authz), 3500, 3600, "too many wrong passwords")
		if d := time.Since(t0); d < hold {
			t.Errorf("429 after %v, want held %v (a flood gets one per connection per hold)", d, hold)
		}
	}
	if n := calls.Load() - before; n != 0 {
		t.Errorf("throttled requests ran %d comparisons, want 0", n)
	}
	if r := getAs(t, attacker, url, ""); r.Code != 401 {
		t.Errorf("throttled address without credentials = %d, want 401", r.Code)
	}
	if r := getAs(t, other, url, good); r.Code != 200 {
		t.Errorf("right password from another address while one is throttled = %d, want 200", r.Code)
	}
	if r := getAs(t, fromAddr("127.0.0.4"), url, good); r.Code != 200 {
		t.Errorf("right password from a new address while one is throttled = %d, want 200", r.Code)
	}
	if r := getAs(t, other, url, wrongPassword); r.Code != 401 {
		t.Errorf("one wrong password from another address = %d, want 401", r.Code)
	}
	// Just past the table's size, and well past it: it stays bounded.
	for i := range 3 * clients {
		src := "127.0.1." + strconv.Itoa(i+1)
		if r := getAs(t, fromAddr(src), url, wrongPassword); r.Code != 401 {
			t.Errorf("wrong password from %s = %d, want 401", src, r.Code)
		}
		if n := s.Users.Clients(); n > clients {
			t.Fatalf("%d addresses in the failure table, bound %d", n, clients)
		}
	}
	// 127.0.0.2 was the oldest: forgotten, it may try again.
	if r := getAs(t, attacker, url, wrongPassword); r.Code != 401 {
		t.Errorf("evicted address = %d, want 401", r.Code)
	}
}
