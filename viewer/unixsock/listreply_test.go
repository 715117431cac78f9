package unixsock

import (
	"bufio"
	"strings"
	"testing"
)

// TestListReplyNewlineNames: a name holding a newline spreads a LISTVAL
// entry over several lines; the reply is still read as its entries, the
// broken one is joined back (and ListVal drops it), and the reply asks
// for a fresh connection.
func TestListReplyNewlineNames(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		resync   bool
	}{
		{"plain", "2 Values found\n1.5 h/load/load\n2 h/cpu-0/cpu-idle\n", []string{"1.5 h/load/load", "2 h/cpu-0/cpu-idle"}, false},
		{"newline in the middle", "2 Values found\n1 nl\nPUTVAL x/load/load N:1/p/t\n2 h/load/load\n",
			[]string{"1 nl\nPUTVAL x/load/load N:1/p/t", "2 h/load/load"}, true},
		{"several newlines", "2 Values found\n1 a\nb\n\nc/p/t\n2 h/load/load\n", []string{"1 a\nb\n\nc/p/t", "2 h/load/load"}, true},
		// After the last entry a continuation cannot be told from the
		// next reply: it is left unread, and resync drops the connection.
		{"newline in the last entry", "1 Value found\n1 a\nb/p/t\n", []string{"1 a"}, true},
		{"continuation that looks like an entry", "2 Values found\n1 a\n3 b/p/t\n2 h/load/load\n", []string{"1 a", "3 b/p/t"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := readListReply(bufio.NewReader(strings.NewReader(tc.in)), "LISTVAL")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rep.lines, "|") != strings.Join(tc.want, "|") || rep.resync != tc.resync {
				t.Errorf("lines %q resync %v, want %q %v", rep.lines, rep.resync, tc.want, tc.resync)
			}
		})
	}
}

// TestListValDropsControlNames: over a connection, entries whose names
// hold control bytes are left out, the rest is returned, and the next
// command runs on a fresh connection in step.
func TestListValDropsControlNames(t *testing.T) {
	srv := newFakeServer(t, func(cmd string) (string, bool) {
		if cmd == "LISTVAL" {
			return "3 Values found\n1 h/load/load\n1 nl\nFLUSH/p/t\n1 cr\rx/p/t\n1 z/load/load\n", false
		}
		return goodLoad, false
	})
	c, err := Dial(t.Context(), srv.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	entries, err := c.ListVal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ID.String())
	}
	if strings.Join(ids, " ") != "h/load/load" {
		t.Errorf("ListVal = %q, want only h/load/load", ids)
	}
	if v, err := c.GetVal(t.Context(), Identifier{Host: "h", Plugin: "load", Type: "load"}); err != nil || len(v) != 3 {
		t.Errorf("GETVAL after the LISTVAL: %v %v", v, err)
	}
}
