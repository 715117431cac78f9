// Package auth is HTTP basic auth against an htpasswd file of bcrypt
// entries (as written by `htpasswd -B`). Other hash kinds (MD5-crypt,
// SHA1, crypt, plain) are refused when the file is loaded: they are weak,
// and accepting them silently would let a file written for another server
// weaken this one.
package auth

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Users holds the htpasswd entries and a short-lived cache of verified
// credentials: bcrypt costs tens of milliseconds on purpose, and a live
// page polling every few seconds would pay that on every request.
type Users struct {
	hashes map[string][]byte
	dummy  []byte // compared against for unknown users, so timing does not tell

	mu    sync.Mutex
	cache map[[32]byte]time.Time // sha256(user, password) -> verified until

	limits Limits
	slots  chan struct{} // one token per bcrypt comparison running
	queued atomic.Int32  // requests waiting for a slot
	fails  *failures
}

// cacheTTL bounds how long a verified password stays valid after the
// htpasswd entry changes (a reload needs a restart anyway) and cacheMax
// bounds the memory guessing can take.
const (
	cacheTTL = 5 * time.Minute
	cacheMax = 1024
)

// Load reads an htpasswd file, with DefaultLimits. Every entry must be
// "user:$2a$..." (or $2b$, $2y$).
func Load(path string) (*Users, error) {
	return LoadLimits(path, DefaultLimits)
}

// LoadLimits is Load with other limits (zero fields take the defaults).
func LoadLimits(path string, l Limits) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("htpasswd: %w", err)
	}
	defer f.Close()
	l = l.orDefault()
	u := &Users{hashes: map[string][]byte{}, cache: map[[32]byte]time.Time{},
		limits: l, slots: make(chan struct{}, l.Checks), fails: newFailures(l)}
	cost := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("htpasswd %s:%d: want user:hash", path, n)
		}
		c, err := bcrypt.Cost([]byte(hash))
		if err != nil {
			return nil, fmt.Errorf("htpasswd %s:%d: user %q: not a bcrypt hash (create entries with `htpasswd -B`): %v", path, n, user, err)
		}
		cost = max(cost, c)
		u.hashes[user] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("htpasswd %s: %w", path, err)
	}
	if len(u.hashes) == 0 {
		return nil, fmt.Errorf("htpasswd %s: no users", path)
	}
	// The dummy costs what the dearest entry costs, so an unknown user
	// takes as long to refuse as a wrong password (of any user, when all
	// entries share one cost, as htpasswd -B writes them).
	u.dummy, _ = bcrypt.GenerateFromPassword([]byte("rtmon-dummy"), cost)
	return u, nil
}

// Authenticate checks user and password for a request from client,
// within the Limits: a client that failed too often recently is
// Throttled, before anything else (a remembered right password included,
// or the cache would answer a throttled guesser at once); remembered
// credentials are Allowed without bcrypt (so a logged-in page keeps
// working while a flood holds the comparison slots); otherwise one bcrypt
// comparison runs when a slot is free within the queue's bounds, and Busy
// is returned when not. Busy and Throttled come after Limits.Hold, with
// the wait to advise.
func (u *Users) Authenticate(ctx context.Context, client netip.Addr, user, password string) (Verdict, time.Duration) {
	k := clientKey(client)
	if wait := u.fails.blocked(k, time.Now()); wait > 0 {
		return Throttled, max(0, wait-u.hold(ctx))
	}
	v := u.verify(ctx, user, password)
	switch v {
	case Allowed:
		u.fails.forget(k)
	case Refused:
		u.fails.fail(k, time.Now())
	case Busy:
		u.hold(ctx)
		return Busy, time.Second
	}
	return v, 0
}

// hold waits Limits.Hold, or until ctx ends, and returns how long it
// waited.
func (u *Users) hold(ctx context.Context) time.Duration {
	if u.limits.Hold <= 0 {
		return 0
	}
	start := time.Now()
	t := time.NewTimer(u.limits.Hold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return time.Since(start)
}

// Check reports whether user and password match an entry. It counts no
// failures (it has no client to count them for) but takes a comparison
// slot like Authenticate, and reports false when none is free.
func (u *Users) Check(user, password string) bool {
	return u.verify(context.Background(), user, password) == Allowed
}

// verify answers from the cache, or runs one bcrypt comparison in a slot.
func (u *Users) verify(ctx context.Context, user, password string) Verdict {
	key := sha256.Sum256([]byte(user + "\x00" + password))
	now := time.Now()
	u.mu.Lock()
	until, ok := u.cache[key]
	u.mu.Unlock()
	if ok && now.Before(until) {
		return Allowed
	}
	if !u.acquire(ctx) {
		return Busy
	}
	hash, known := u.hashes[user]
	if !known {
		hash = u.dummy
	}
	start := time.Now()
	good := u.limits.Compare(hash, []byte(password)) == nil
	u.release(time.Since(start))
	good = subtle.ConstantTimeEq(b2i(known), 1)&subtle.ConstantTimeEq(b2i(good), 1) == 1
	if !good {
		return Refused
	}
	u.mu.Lock()
	if len(u.cache) >= cacheMax {
		clear(u.cache)
	}
	u.cache[key] = time.Now().Add(cacheTTL)
	u.mu.Unlock()
	return Allowed
}

// acquire takes a comparison slot: at once when one is free, else after
// waiting in the queue (at most Limits.Wait, and only while fewer than
// Limits.Queue others wait). False: no slot; nothing may be compared.
func (u *Users) acquire(ctx context.Context) bool {
	select {
	case u.slots <- struct{}{}:
		return true
	default:
	}
	if u.queued.Add(1) > int32(u.limits.Queue) {
		u.queued.Add(-1)
		return false
	}
	defer u.queued.Add(-1)
	t := time.NewTimer(u.limits.Wait)
	defer t.Stop()
	select {
	case u.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// release frees a comparison slot after the rest its comparison earned
// (Limits.Rest), without holding up the caller. At most Checks timers.
func (u *Users) release(took time.Duration) {
	if u.limits.Rest <= 0 {
		<-u.slots
		return
	}
	time.AfterFunc(time.Duration(float64(took)*u.limits.Rest), func() { <-u.slots })
}

// Waiting is how many requests wait for a comparison slot now (tests
// wait for the queue to fill).
func (u *Users) Waiting() int { return int(u.queued.Load()) }

// Clients is how many clients the failure table holds now (tests check
// its bound).
func (u *Users) Clients() int { return u.fails.len() }

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
