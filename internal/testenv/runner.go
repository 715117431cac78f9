package testenv

import (
	"fmt"
	"io"
	"sync"
)

// Runner is a TB for programs rather than tests (rtmon-demo, the
// benchmarks under bench/): the test environment starts the same real components
// there as in the tests, Logf writes to a stream, and Fatalf unwinds to
// the program's deferred Stop, which runs the cleanups.
//
// Use it as
//
//	tb := testenv.NewRunner(os.Stderr, "demo")
//	defer func() {
//		if r := recover(); r != nil {
//			if !testenv.IsFatal(r) {
//				panic(r)
//			}
//			code = 1
//		}
//		tb.Stop()
//	}()
type Runner struct {
	mu       sync.Mutex
	out      io.Writer
	prefix   string
	cleanups []func()
	failed   bool
}

// fatal is what Fatalf panics with, to unwind to the deferred Stop.
type fatal struct{}

// NewRunner returns a Runner whose lines go to out, each starting with
// prefix and a colon.
func NewRunner(out io.Writer, prefix string) *Runner { return &Runner{out: out, prefix: prefix} }

// IsFatal reports whether a recovered value is a Runner's Fatalf
// unwinding, as opposed to a real panic.
func IsFatal(r any) bool {
	_, ok := r.(fatal)
	return ok
}

func (r *Runner) Helper() {}

func (r *Runner) Logf(format string, args ...any) {
	fmt.Fprintf(r.out, r.prefix+": "+format+"\n", args...)
}

func (r *Runner) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	r.Logf(format, args...)
	panic(fatal{})
}

func (r *Runner) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *Runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Stop runs the cleanups registered so far, last first, as testing does,
// and forgets them: a program can stop one set of components and go on.
func (r *Runner) Stop() {
	r.mu.Lock()
	fs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
