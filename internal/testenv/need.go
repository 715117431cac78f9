package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Need stops a test that needs real programs (rtorrent, collectd, rrdtool,
// nginx, opentracker, mktorrent, chromium...) in the one way the whole
// repository agrees on:
//
//   - under `go test -short` it skips, whether the programs are installed
//     or not: -short is the unit layer, which must pass in seconds on a
//     machine where no daemon can run (docs/build.md, `make short`);
//   - otherwise a missing program fails the test, naming it and
//     `make deps`: a test that silently skips on a machine without
//     rTorrent proves nothing.
//
// Names are looked up in PATH and then in the sbin directories; a name
// holding a slash is taken as a path.
func Need(t TB, bins ...string) {
	t.Helper()
	need(t, isShort(t), bins)
}

// need is Need with -short passed in, so its own test can play both.
func need(t TB, short bool, bins []string) {
	t.Helper()
	if short {
		skip(t, fmt.Sprintf("needs %s%s", strings.Join(bins, ", "), missing(bins)))
		return
	}
	for _, b := range bins {
		if _, err := lookBin(b); err != nil {
			t.Fatalf("testenv: needs %q, which is missing (%v); `make deps` installs it", b, err)
		}
	}
}

// missing says which of bins are not installed, for a skip message.
func missing(bins []string) string {
	var gone []string
	for _, b := range bins {
		if _, err := lookBin(b); err != nil {
			gone = append(gone, b)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	return " (missing here: " + strings.Join(gone, ", ") + ")"
}

// Slow skips a test under -short that needs no daemon but takes longer
// than the unit layer's budget (a couple of seconds), saying why.
func Slow(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("testenv: skipped under -short: slow (%s)", why)
	}
}

// isShort reports whether t is a test run with -short; a Runner, which is
// not a test, never is (and testing.Short would panic there).
func isShort(t TB) bool {
	_, ok := t.(testing.TB)
	return ok && testing.Short()
}

// skip skips t, a test under -short (see isShort), saying what it needs.
func skip(t TB, what string) {
	tt := t.(testing.TB)
	tt.Helper()
	tt.Skipf("testenv: skipped under -short: %s; it runs without -short (make test)", what)
}

// sbinDirs are searched after PATH: nginx lives in /usr/sbin, which a
// non-root PATH often lacks.
var sbinDirs = []string{"/usr/sbin", "/sbin", "/usr/local/sbin"}

// lookBin finds a binary in PATH or the sbin directories; a name with a
// slash is checked as it is. A file counts only when it is a regular,
// executable file, so a binary hidden behind a bind mount of /dev/null
// (how `make short` hides the daemons) counts as missing.
func lookBin(name string) (string, error) {
	if filepath.Base(name) != name {
		if executable(name) {
			return name, nil
		}
		return "", fmt.Errorf("%s is not an executable file", name)
	}
	dirs := append(filepath.SplitList(os.Getenv("PATH")), sbinDirs...)
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); executable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH or %v", name, sbinDirs)
}

// executable reports whether path is a regular file with an execute bit.
func executable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// bin is Need for one binary, returning its path.
func bin(t TB, name string) string {
	t.Helper()
	Need(t, name)
	p, _ := lookBin(name)
	return p
}
