// Package auth is HTTP basic auth against an htpasswd file of bcrypt
// entries (as written by `htpasswd -B`). Other hash kinds (MD5-crypt,
// SHA1, crypt, plain) are refused when the file is loaded: they are weak,
// and accepting them silently would let a file written for another server
// weaken this one.
package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"strings"
	"sync"
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
}

// cacheTTL bounds how long a verified password stays valid after the
// htpasswd entry changes (a reload needs a restart anyway) and cacheMax
// bounds the memory guessing can take.
const (
	cacheTTL = 5 * time.Minute
	cacheMax = 1024
)

// Load reads an htpasswd file. Every entry must be "user:$2a$..." (or
// $2b$, $2y$).
func Load(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("htpasswd: %w", err)
	}
	defer f.Close()
	u := &Users{hashes: map[string][]byte{}, cache: map[[32]byte]time.Time{}}
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

// Check reports whether user and password match an entry.
func (u *Users) Check(user, password string) bool {
	key := sha256.Sum256([]byte(user + "\x00" + password))
	now := time.Now()
	u.mu.Lock()
	until, ok := u.cache[key]
	u.mu.Unlock()
	if ok && now.Before(until) {
		return true
	}
	hash, known := u.hashes[user]
	if !known {
		hash = u.dummy
	}
	good := compareHash(hash, []byte(password)) == nil
	good = subtle.ConstantTimeEq(b2i(known), 1)&subtle.ConstantTimeEq(b2i(good), 1) == 1
	if good {
		u.mu.Lock()
		if len(u.cache) >= cacheMax {
			clear(u.cache)
		}
		u.cache[key] = now.Add(cacheTTL)
		u.mu.Unlock()
	}
	return good
}

// compareHash is bcrypt's comparison; tests count its calls to check that
// every refusal, unknown users included, pays for one.
var compareHash = bcrypt.CompareHashAndPassword

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
