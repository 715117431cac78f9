package dist

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// unitSettings reads the [Service] section of a unit file: each key's
// values in order (a key may be given more than once).
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = line
		case section == "[Service]":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: not key=value: %q", path, line)
			}
			set[k] = append(set[k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// last is the value systemd uses for a key given once or more.
func last(set map[string][]string, k string) (string, bool) {
	v := set[k]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// bytesValue reads a systemd size such as 512M (base 1024).
func bytesValue(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number with K, M or G", s)
	}
	return n * mult, nil
}

// syscallGroups reads systemd's system call groups (`systemd-analyze
// syscall-filter`): each @group's entries, system calls and @groups.
func syscallGroups(t *testing.T) map[string][]string {
	t.Helper()
	testenv.Need(t, "systemd-analyze")
	out, err := exec.Command("systemd-analyze", "syscall-filter", "--no-pager").Output()
	if err != nil {
		t.Fatalf("systemd-analyze syscall-filter: %v", err)
	}
	groups := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "@"):
			cur = strings.TrimSpace(line)
		case strings.TrimSpace(line) == "":
			cur = ""
		case cur != "":
			e := strings.TrimSpace(line)
			if !strings.HasPrefix(e, "#") {
				groups[cur] = append(groups[cur], e)
			}
		}
	}
	if len(groups["@system-service"]) == 0 {
		t.Fatalf("no @system-service in systemd-analyze syscall-filter's output:\n%.2000s", out)
	}
	return groups
}

// expand adds the system calls an entry (a name or an @group) stands for.
func expand(groups map[string][]string, entry string, into map[string]bool) {
	if !strings.HasPrefix(entry, "@") {
		into[entry] = true
		return
	}
	for _, e := range groups[entry] {
		expand(groups, e, into)
	}
}

// allowedSyscalls is what the unit's SystemCallFilter= lines let through:
// the union of the allow lines minus the union of the ~ deny lines (the
// form the unit uses: allow lines first, then deny lines).
func allowedSyscalls(t *testing.T, filters []string) map[string]bool {
	t.Helper()
	groups := syscallGroups(t)
	allow, deny := map[string]bool{}, map[string]bool{}
	for _, f := range filters {
		into := allow
		if strings.HasPrefix(f, "~") {
			into, f = deny, f[1:]
		}
		for _, e := range strings.Fields(f) {
			expand(groups, e, into)
		}
	}
	for s := range deny {
		delete(allow, s)
	}
	return allow
}
