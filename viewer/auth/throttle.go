package auth

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// failures counts recent wrong passwords per client, in a table of
// bounded size: the client whose last failure is oldest is forgotten
// first when it is full.
type failures struct {
	mu    sync.Mutex
	l     Limits // Failures, Window and Clients
	byKey map[netip.Prefix]*list.Element
	order *list.List // of *failEntry, most recent failure first
}

type failEntry struct {
	key   netip.Prefix
	start time.Time // first failure of the current window
	count int
}

func newFailures(l Limits) *failures {
	return &failures{l: l, byKey: map[netip.Prefix]*list.Element{}, order: list.New()}
}

// clientKey is what failures are counted by: an IPv4 address, or an
// IPv6 address's /64 (one host usually holds a whole /64, and counting
// single addresses would let it try 2^64 times as often). The zero Addr
// (no address known) is one key of its own.
func clientKey(a netip.Addr) netip.Prefix {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return netip.Prefix{}
	}
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// blocked returns how long the client must still wait, 0 if it may try.
func (f *failures) blocked(k netip.Prefix, now time.Time) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	el, ok := f.byKey[k]
	if !ok {
		return 0
	}
	e := el.Value.(*failEntry)
	left := e.start.Add(f.l.Window).Sub(now)
	if left <= 0 {
		f.order.Remove(el)
		delete(f.byKey, k)
		return 0
	}
	if e.count < f.l.Failures {
		return 0
	}
	return left
}

// fail counts one failure of the client.
func (f *failures) fail(k netip.Prefix, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if el, ok := f.byKey[k]; ok {
		e := el.Value.(*failEntry)
		if now.Sub(e.start) >= f.l.Window {
			e.start, e.count = now, 0
		}
		e.count++
		f.order.MoveToFront(el)
		return
	}
	for f.order.Len() >= f.l.Clients {
		old := f.order.Back()
		f.order.Remove(old)
		delete(f.byKey, old.Value.(*failEntry).key)
	}
	f.byKey[k] = f.order.PushFront(&failEntry{key: k, start: now, count: 1})
}

// forget drops the client's failures (after a right password).
func (f *failures) forget(k netip.Prefix) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if el, ok := f.byKey[k]; ok {
		f.order.Remove(el)
		delete(f.byKey, k)
	}
}

// len is the number of clients in the table.
func (f *failures) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.order.Len()
}
