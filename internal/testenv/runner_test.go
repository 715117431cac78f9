package testenv

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunner: a Runner logs with its prefix, Fatalf unwinds with a value
// IsFatal recognises (and marks it failed), and Stop runs the cleanups
// last first, once.
func TestRunner(t *testing.T) {
	var out bytes.Buffer
	r := NewRunner(&out, "demo")
	var order []int
	r.Cleanup(func() { order = append(order, 1) })
	r.Cleanup(func() { order = append(order, 2) })
	func() {
		defer func() {
			if v := recover(); !IsFatal(v) {
				t.Fatalf("recovered %v, want a Fatalf unwinding", v)
			}
		}()
		r.Fatalf("no %s", "rtorrent")
	}()
	if !r.Failed() || !strings.Contains(out.String(), "demo: no rtorrent\n") {
		t.Fatalf("failed %v, output %q", r.Failed(), out.String())
	}
	if IsFatal("a real panic") {
		t.Fatal("IsFatal took a real panic for a Fatalf")
	}
	r.Stop()
	r.Stop()
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Fatalf("cleanups ran %v, want [2 1] once", order)
	}
}
