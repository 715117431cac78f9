package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestVersionFlag: -version prints the version the build stamped (a test
// binary has no -ldflags, so "dev"; dist's tests check the Makefile's
// binaries against the VERSION file) and touches no rTorrent.
func TestVersionFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-version"}, &out, &errOut); code != 0 || out.String() != "rtmon-probe "+version+"\n" || errOut.Len() != 0 {
		t.Errorf("-version: exit %d, stdout %q, stderr %q; want 0, %q", code, out.String(), errOut.String(), "rtmon-probe "+version+"\n")
	}
}

// TestSkipVerifyWarned: -insecure-skip-verify on an https URL is warned
// about once, before the read (which fails here: nothing listens).
func TestSkipVerifyWarned(t *testing.T) {
	var out, errOut bytes.Buffer
	run([]string{"-insecure-skip-verify", "-timeout", "1s", "https://127.0.0.1:1/RPC2"}, &out, &errOut)
	if n := strings.Count(errOut.String(), "InsecureSkipVerify is on"); n != 1 {
		t.Errorf("%d skip-verify warnings, want 1:\n%s", n, errOut.String())
	}
}
