package auth

import (
	"time"
)

// Limits bound what password checks may cost the machine: bcrypt is slow
// on purpose, and the CPU it takes belongs to rTorrent. Without them, 64
// connections sending a wrong password kept both cores busy.
type Limits struct {
	// Checks is how many bcrypt comparisons run at once.
	Checks int
	// Queue is how many more requests may wait for a comparison, each
	// at most Wait; beyond that a request is answered Busy at once, so a
	// flood cannot pile up goroutines behind the semaphore. The queue
	// lets a browser's few parallel requests with fresh credentials all
	// pass.
	Queue int
	Wait  time.Duration
	// Failures wrong passwords (or unknown users) from one client within
	// Window block that client for the rest of the Window: it is
	// answered Throttled without running bcrypt.
	Failures int
	Window   time.Duration
	// Clients bounds the table of clients with recent failures; the
	// client whose last failure is oldest is forgotten first.
	Clients int
	// Compare replaces bcrypt.CompareHashAndPassword when set: tests
	// count and hold comparisons with it.
	Compare func(hash, password []byte) error
}

// DefaultLimits are the viewer's. One comparison at a time keeps at least
// one core of two for rTorrent (a comparison at htpasswd -B's cost 5
// takes a few milliseconds, at bcrypt's default 10 about 60 ms); 8
// waiting for up to 2 s covers a page's parallel requests; 10 failures a
// minute is plenty for a person mistyping; 1024 clients is about 100 KiB.
var DefaultLimits = Limits{Checks: 1, Queue: 8, Wait: 2 * time.Second, Failures: 10, Window: time.Minute, Clients: 1024}

// orDefault fills fields left zero with DefaultLimits' values.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Checks <= 0 {
		l.Checks = d.Checks
	}
	if l.Queue < 0 {
		l.Queue = 0
	}
	if l.Wait <= 0 {
		l.Wait = d.Wait
	}
	if l.Failures <= 0 {
		l.Failures = d.Failures
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	if l.Clients <= 0 {
		l.Clients = d.Clients
	}
	return l
}

// Verdict is the outcome of Users.Authenticate.
type Verdict int

const (
	// Allowed: the credentials match an entry.
	Allowed Verdict = iota
	// Refused: they do not (wrong password, unknown user).
	Refused
	// Busy: every comparison slot and queue place was taken; nothing
	// was checked. Retry after the duration returned.
	Busy
	// Throttled: the client failed too often recently; nothing was
	// checked. Retry after the duration returned.
	Throttled
)

func (v Verdict) String() string {
	switch v {
	case Allowed:
		return "allowed"
	case Refused:
		return "refused"
	case Busy:
		return "busy"
	case Throttled:
		return "throttled"
	}
	return "verdict(?)"
}
