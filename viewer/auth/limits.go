package auth

import (
	"time"

	"golang.org/x/crypto/bcrypt"
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
	// pass. Zero: the default; negative: none.
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
	// Rest keeps a slot taken after its comparison, Rest times as long
	// as the comparison took, so a flood from more addresses than the
	// throttle catches gets bcrypt at most Checks/(1+Rest) cores; the
	// answer is not delayed. Zero: the default (1); negative: none.
	Rest float64
	// Hold is how long Authenticate holds a Busy or Throttled answer
	// before returning it (less if the request ends): a flood on
	// keep-alive connections then gets one refusal per connection per
	// Hold instead of thousands a second, each costing CPU to answer.
	// Negative: none.
	Hold time.Duration
	// Compare replaces bcrypt.CompareHashAndPassword when set: tests
	// count and hold comparisons with it (that every refusal, unknown
	// users included, pays for one).
	Compare func(hash, password []byte) error
}

// DefaultLimits are the viewer's. One comparison at a time, resting as
// long again, keeps bcrypt to half of one core of two (a comparison at htpasswd -B's cost 5
// takes a few milliseconds, at bcrypt's default 10 tens of them); 8
// waiting for up to 2 s covers a page's parallel requests; 10 failures a
// minute is plenty for a person mistyping; 1024 clients take under 256 KiB;
// holding refusals 1 s turns a flood of 64 keep-alive connections from
// thousands of 429s a second into about 64 (PERFORMANCE.md).
var DefaultLimits = Limits{Checks: 1, Queue: 8, Wait: 2 * time.Second, Failures: 10, Window: time.Minute, Clients: 1024,
	Rest: 1, Hold: time.Second}

// orDefault fills fields left zero with DefaultLimits' values (tests
// turn Queue, Rest and Hold off with a negative value).
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Checks <= 0 {
		l.Checks = d.Checks
	}
	switch {
	case l.Queue == 0:
		l.Queue = d.Queue
	case l.Queue < 0:
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
	if l.Rest == 0 {
		l.Rest = d.Rest
	}
	if l.Hold == 0 {
		l.Hold = d.Hold
	}
	if l.Compare == nil {
		l.Compare = bcrypt.CompareHashAndPassword
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
