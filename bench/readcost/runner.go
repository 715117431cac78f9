package main

import (
	"fmt"
	"io"
	"sync"
)

// runner is this program's testbed.TB: the test bed starts the same real
// components here as in the tests, and its cleanups stop them.
type runner struct {
	mu       sync.Mutex
	out      io.Writer
	cleanups []func()
	failed   bool
}

// fatal unwinds the program from a Fatalf to its cleanups.
type fatal struct{}

func newRunner(out io.Writer) *runner { return &runner{out: out} }

func (r *runner) Helper() {}

func (r *runner) Logf(format string, args ...any) {
	fmt.Fprintf(r.out, "readcost: "+format+"\n", args...)
}

func (r *runner) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	r.Logf(format, args...)
	panic(fatal{})
}

func (r *runner) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// cleanup runs the cleanups last first, as testing does.
func (r *runner) cleanup() {
	r.mu.Lock()
	fs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
