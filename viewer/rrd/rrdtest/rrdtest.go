// Package rrdtest is what the tests of viewer/rrd and viewer/rrd/readlock
// share: a child process that holds an RRD file's fcntl write lock the
// way collectd does while writing, and the rrdtool command line that makes
// their fixtures. It is for tests only (internal/layout's rules fail a
// package whose code links it), and it does not import viewer/rrd, so that
// package's own tests can use it without a cycle.
package rrdtest

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// RRDTool runs the rrdtool command line (ground truth, not the code under
// test) and returns its output; a failure ends the test.
func RRDTool(t testing.TB, args ...string) string {
	t.Helper()
	testenv.Need(t, "rrdtool")
	out, err := exec.Command("rrdtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
