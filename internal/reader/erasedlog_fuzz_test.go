package reader

import (
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// FuzzEraseLog feeds noteErased whatever rTorrent's erase log could hold
// (the string is the rc snippet's, but a hostile or broken rTorrent
// writes what it likes): it must not panic, and no group's volume may
// fall below zero or below what it was, whatever the totals (2^63 - 1
// included).
func FuzzEraseLog(f *testing.F) {
	hA, hB := strings.Repeat("A", 40), strings.Repeat("B", 40)
	for _, seed := range []string{
		"",
		hA + " 150 260;",
		" " + strings.ToLower(hA) + " 150 260 ; " + hB + " 7 8;",
		hA + " 150;nothash 1 2;" + hB + " -1 2;" + hB + " 1 x;",
		hA + " 9223372036854775807 9223372036854775807;" + hB + " 9223372036854775807 1;",
		hA + " 99999999999999999999 1;",
		strings.Repeat(hA+" 1 1;", 100),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, log string) {
		c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: "scgi:///nonexistent/rpc.socket"})
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(c, Options{PerTracker: true, PerLabel: true})
		r.static[hA] = staticInfo{label: "x", domain: "d"}
		r.static[hB] = staticInfo{label: "y", domain: "d"}
		r.mergeFull([]item{it(hA, 100, 200), it(hB, 5, 5)}, 0, time.Now())
		r.noteErased(log)
		check := func(when string) map[string][2]int64 {
			got := map[string][2]int64{}
			for kind, groups := range map[string]map[string]*byteCount{"tracker": r.vol.trackers, "label": r.vol.labels} {
				for name, v := range groups {
					if v.up < 0 || v.down < 0 {
						t.Fatalf("%s: %s %s volume [%d %d] below zero (log %q)", when, kind, name, v.up, v.down, log)
					}
					got[kind+"/"+name] = [2]int64{v.up, v.down}
				}
			}
			return got
		}
		before := check("after the log")
		r.noteErased(log) // the same log again (a broken rTorrent that never empties it)
		r.mergeFull(nil, 0, time.Now())
		r.attributeVolumes()
		for k, v := range check("after the next scan") {
			if b := before[k]; v[0] < b[0] || v[1] < b[1] {
				t.Fatalf("%s fell from %v to %v (log %q)", k, b, v, log)
			}
		}
	})
}
