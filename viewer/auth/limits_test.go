package auth

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func loadLimits(t *testing.T, l Limits) *Users {
	t.Helper()
	h, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	u, err := LoadLimits(write(t, "alice:"+string(h)+"\n"), l)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestComparisonSlots: at most Checks comparisons run and Queue wait;
// one request more is Busy at once without a comparison, and a waiter
// whose client went away gives up its place.
func TestComparisonSlots(t *testing.T) {
	var running, most, calls atomic.Int32
	started, release := make(chan struct{}, 100), make(chan struct{})
	u := loadLimits(t, Limits{Checks: 2, Queue: 1, Wait: time.Minute, Hold: -1, Rest: -1, Compare: func(hash, pw []byte) error {
		n := running.Add(1)
		defer running.Add(-1)
		calls.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		started <- struct{}{}
		<-release
		return bcrypt.CompareHashAndPassword(hash, pw)
	}})
	var wg sync.WaitGroup
	for range 3 { // 2 running, 1 waiting
		wg.Go(func() {
			if v, _ := u.Authenticate(context.Background(), netip.MustParseAddr("192.0.2.1"), "alice", "wrong"); v != Refused {
				t.Errorf("held wrong password: %v, want refused", v)
			}
		})
	}
	<-started
	<-started
	for u.Waiting() < 1 {
		time.Sleep(time.Millisecond)
	}
	for i := range 3 {
		v, wait := u.Authenticate(context.Background(), netip.MustParseAddr("192.0.2."+strconv.Itoa(i+2)), "alice", "s3cret")
		if v != Busy || wait != time.Second {
			t.Errorf("one past the bound: %v %v, want busy 1s", v, wait)
		}
	}
	if u.Check("alice", "s3cret") {
		t.Error("Check passed with every slot taken")
	}
	close(release)
	wg.Wait()
	if m, n := most.Load(), calls.Load(); m != 2 || n != 3 {
		t.Errorf("%d at once (want 2), %d in all (want 3)", m, n)
	}

	// A waiter whose request ended leaves the queue at once.
	u = loadLimits(t, Limits{Checks: 1, Queue: 1, Wait: time.Hour, Hold: -1, Rest: -1})
	u.slots <- struct{}{} // every slot taken
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Verdict)
	go func() { v, _ := u.Authenticate(ctx, netip.Addr{}, "alice", "s3cret"); done <- v }()
	for u.Waiting() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if v := <-done; v != Busy || u.Waiting() != 0 {
		t.Errorf("cancelled waiter: %v, %d waiting", v, u.Waiting())
	}
}

// TestThrottle: Failures refusals from one client block it for the rest
// of the window, before the cache of verified passwords is consulted;
// others are not blocked; a right password clears a client's count.
func TestThrottle(t *testing.T) {
	var calls atomic.Int32
	u := loadLimits(t, Limits{Failures: 3, Window: time.Hour, Hold: -1, Rest: -1, Compare: func(hash, pw []byte) error {
		calls.Add(1)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}})
	bg := context.Background()
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	if v, _ := u.Authenticate(bg, b, "alice", "s3cret"); v != Allowed { // now cached
		t.Fatal(v)
	}
	// Two failures, a success (clears), three failures: blocked.
	for _, pw := range []string{"x", "y", "s3cret", "x", "y", "z"} {
		u.Authenticate(bg, a, "alice", pw)
	}
	n := calls.Load()
	for _, pw := range []string{"w", "s3cret"} {
		if v, wait := u.Authenticate(bg, a, "alice", pw); v != Throttled || wait < 59*time.Minute || wait > time.Hour {
			t.Errorf("blocked client with %q: %v %v, want throttled for about an hour", pw, v, wait)
		}
	}
	if v, _ := u.Authenticate(bg, netip.MustParseAddr("::ffff:192.0.2.1"), "alice", "s3cret"); v != Throttled {
		t.Errorf("the same client as an IPv4-mapped address: %v", v)
	}
	if calls.Load() != n {
		t.Error("a blocked client ran a comparison")
	}
	if v, _ := u.Authenticate(bg, b, "alice", "s3cret"); v != Allowed {
		t.Errorf("another client: %v", v)
	}
}

// TestFailureTable: keys group an IPv6 /64; the table keeps at most
// Clients entries, forgetting the oldest failure first, also just past
// its size; a window that ended forgets the client.
func TestFailureTable(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8::1", "2001:db8::ffff:1", true},
		{"2001:db8::1", "2001:db8:0:1::1", false},
		{"192.0.2.1", "::ffff:192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
		{"fe80::1%eth0", "fe80::2%eth1", true},
	} {
		if got := clientKey(netip.MustParseAddr(tc.a)) == clientKey(netip.MustParseAddr(tc.b)); got != tc.same {
			t.Errorf("%s and %s the same client: %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
	const size = 4
	f := newFailures(Limits{Failures: 1, Window: time.Minute, Clients: size})
	now := time.Unix(1e9, 0)
	key := func(i int) netip.Prefix { return clientKey(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})) }
	for i := range size + 1 {
		f.fail(key(i), now.Add(time.Duration(i)*time.Second))
		if f.len() > size {
			t.Fatalf("%d clients after %d, bound %d", f.len(), i+1, size)
		}
	}
	if f.blocked(key(0), now.Add(10*time.Second)) != 0 || f.blocked(key(1), now.Add(10*time.Second)) == 0 {
		t.Error("the oldest client was not the one forgotten")
	}
	for i := range 1000 {
		f.fail(key(i), now)
	}
	if f.len() != size {
		t.Errorf("%d clients after 1000, bound %d", f.len(), size)
	}
	if f.blocked(key(999), now.Add(time.Minute)) != 0 || f.len() != size-1 {
		t.Error("a client whose window ended is still blocked or kept")
	}
}

// TestHoldRefusals: Busy and Throttled answers are held Limits.Hold
// (a lower bound, so not flaky), less when the request ends; Allowed and
// Refused are not held.
func TestHoldRefusals(t *testing.T) {
	const hold = 150 * time.Millisecond
	u := loadLimits(t, Limits{Checks: 1, Queue: -1, Failures: 1, Window: time.Hour, Hold: hold})
	bg := context.Background()
	a := netip.MustParseAddr("192.0.2.1")
	if v, _ := u.Authenticate(bg, a, "alice", "wrong"); v != Refused {
		t.Fatal(v)
	}
	t0 := time.Now()
	v, wait := u.Authenticate(bg, a, "alice", "wrong")
	if d := time.Since(t0); v != Throttled || d < hold || wait > time.Hour-hold {
		t.Errorf("throttled: %v after %v advising %v, want held %v and the wait less the hold", v, d, wait, hold)
	}
	u.slots <- struct{}{} // every slot taken, no queue
	t0 = time.Now()
	if v, _ := u.Authenticate(bg, netip.Addr{}, "alice", "s3cret"); v != Busy || time.Since(t0) < hold {
		t.Errorf("busy: %v after %v, want held %v", v, time.Since(t0), hold)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	t0 = time.Now()
	if v, _ := u.Authenticate(ctx, netip.Addr{}, "alice", "s3cret"); v != Busy || time.Since(t0) >= hold {
		t.Errorf("busy for an ended request: %v after %v, want at once", v, time.Since(t0))
	}
}

// TestComparisonRest: after a comparison its slot stays taken as long
// again (Rest 1), so a request right after one is Busy although nothing
// runs; the slot is free after the rest. (The comparison takes 300 ms, so
// "right after" has 300 ms of margin.)
func TestComparisonRest(t *testing.T) {
	const took = 300 * time.Millisecond
	u := loadLimits(t, Limits{Checks: 1, Queue: -1, Hold: -1, Failures: 1000, Compare: func(hash, pw []byte) error {
		time.Sleep(took)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}})
	bg := context.Background()
	t0 := time.Now()
	if v, _ := u.Authenticate(bg, netip.Addr{}, "alice", "wrong"); v != Refused {
		t.Fatal(v)
	}
	answered := time.Since(t0)
	if v, _ := u.Authenticate(bg, netip.Addr{}, "alice", "s3cret"); v != Busy {
		t.Errorf("right after a comparison: %v, want busy (the slot rests)", v)
	}
	if answered > 2*took {
		t.Errorf("answer took %v: the rest delayed it", answered)
	}
	for deadline := time.Now().Add(10 * time.Second); len(u.slots) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("slot never freed")
		}
	}
	if v, _ := u.Authenticate(bg, netip.Addr{}, "alice", "s3cret"); v != Allowed {
		t.Errorf("after the rest: %v", v)
	}
}
