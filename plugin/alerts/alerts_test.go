package alerts

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
)

// step is one read: failed (err set) or good (snapshot edits).
type step struct {
	err  string
	snap func(*reader.Snapshot)
	sub  []string
	want []string // "SEVERITY cond" in order; nil = nothing
}

func i64(v int64) *int64 { return &v }

func pid(p int64) func(*reader.Snapshot) { return func(s *reader.Snapshot) { s.PID = p } }

func msgs(n, total int64) func(*reader.Snapshot) {
	return func(s *reader.Snapshot) { s.PID = 1; s.Items.Messages, s.Items.Total = i64(n), total }
}

func sockets(used, limit int64) func(*reader.Snapshot) {
	return func(s *reader.Snapshot) {
		s.PID = 1
		s.Resources.OpenSockets, s.Resources.MaxOpenSockets = i64(used), i64(limit)
	}
}

func scanned(at int) func(*reader.Snapshot) {
	return func(s *reader.Snapshot) {
		s.PID = 1
		s.Scan = &reader.ScanInfo{Time: time.Unix(int64(1000+at), 0)}
	}
}

func upload(rate, limit int64) func(*reader.Snapshot) {
	return func(s *reader.Snapshot) { s.PID = 1; s.Traffic.UpRate, s.Traffic.UpLimit = rate, limit }
}

// TestTransitions: each condition is said once when it starts and once
// when it ends, never once per read in between.
func TestTransitions(t *testing.T) {
	opt := DefaultOptions()
	opt.LimitReads = 2
	scanErr := []string{"item scan: reply over the cap"}
	for _, tc := range []struct {
		name  string
		opt   Options
		steps []step
	}{
		{"down once, back once", opt, []step{
			{snap: pid(1)},
			{err: "dial unix /x: connection refused", want: []string{"FAILURE reachable"}},
			{err: "dial unix /x: connection refused"},
			{err: "dial unix /x: connection refused"},
			{snap: pid(1), want: []string{"OKAY reachable"}},
			{snap: pid(1)},
		}},
		{"down after DownReads", Options{DownReads: 3}, []step{
			{err: "x"}, {err: "x"}, {err: "x", want: []string{"FAILURE reachable"}}, {err: "x"},
			{snap: pid(1), want: []string{"OKAY reachable"}},
		}},
		{"short outage below DownReads says nothing", Options{DownReads: 3}, []step{
			{err: "x"}, {err: "x"}, {snap: pid(1)}, {err: "x"}, {snap: pid(1)},
		}},
		{"restart is one warning", opt, []step{
			{snap: pid(10)}, {snap: pid(10)},
			{snap: pid(11), want: []string{"WARNING restart"}},
			{snap: pid(11)},
			{err: "refused", want: []string{"FAILURE reachable"}},
			{snap: pid(12), want: []string{"OKAY reachable", "WARNING restart"}},
			// pid unread (0) is no restart
			{snap: pid(0)}, {snap: pid(12)},
		}},
		{"scan failing repeatedly, then recovering", opt, []step{
			{snap: scanned(1)},
			{snap: scanned(1), sub: scanErr},
			{snap: scanned(1)}, // no scan due: neutral
			{snap: scanned(1), sub: scanErr},
			{snap: scanned(1), sub: scanErr, want: []string{"WARNING scan"}},
			{snap: scanned(1), sub: scanErr},
			{snap: scanned(2), want: []string{"OKAY scan"}},
			{snap: scanned(2)},
		}},
		{"scan failures broken by a good scan", opt, []step{
			{snap: scanned(1), sub: scanErr}, {snap: scanned(1), sub: scanErr},
			{snap: scanned(2)},
			{snap: scanned(2), sub: scanErr}, {snap: scanned(2), sub: scanErr},
		}},
		{"other sub-errors are not scan failures", opt, []step{
			{snap: scanned(1), sub: []string{"view.size seeding: fault"}},
			{snap: scanned(1), sub: []string{"view.size seeding: fault"}},
			{snap: scanned(1), sub: []string{"view.size seeding: fault"}},
		}},
		{"tracker messages past the share", opt, []step{
			{snap: msgs(10, 100)}, // 10% is not over 10%
			{snap: msgs(11, 100), want: []string{"WARNING messages"}},
			{snap: msgs(50, 100)},
			{snap: msgs(10, 100), want: []string{"OKAY messages"}},
			{snap: msgs(0, 0)},
			{snap: pid(1)}, // no scan yet: Messages nil, nothing changes
		}},
		{"message share off", Options{}, []step{{snap: msgs(100, 100)}}},
		{"sockets nearly exhausted for LimitReads reads", opt, []step{
			{snap: sockets(899, 1000)},
			{snap: sockets(900, 1000)},
			{snap: sockets(950, 1000), want: []string{"WARNING sockets"}},
			{snap: sockets(1000, 1000)},
			{snap: sockets(100, 1000)}, // one dip below is not the end
			{snap: sockets(950, 1000)},
			{snap: sockets(100, 1000)},
			{snap: sockets(100, 1000), want: []string{"OKAY sockets"}},
			{snap: sockets(950, 1000)},
			{snap: sockets(10, 1000)}, // one read over is a burst, not a problem
			{snap: sockets(950, 1000)},
		}},
		{"unknown socket limit is never full", opt, []step{{snap: sockets(5, 0)}, {snap: sockets(5, 0)}, {snap: sockets(5, 0)}}},
		{"throttle: unlimited is never full", opt, []step{
			{snap: upload(1e6, 0)}, {snap: upload(1e6, 0)}, {snap: upload(1e6, 0)},
			{snap: upload(95, 100)}, {snap: upload(99, 100), want: []string{"WARNING throttle_up"}},
			{snap: upload(99, 0)}, {snap: upload(99, 0), want: []string{"OKAY throttle_up"}},
		}},
		{"off", Options{Off: true, DownReads: 1}, []step{{snap: pid(1)}, {err: "x"}, {snap: pid(2)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(tc.opt)
			now := time.Unix(1000, 0)
			for i, st := range tc.steps {
				now = now.Add(10 * time.Second)
				var got []Notification
				if st.err != "" {
					got = tr.Failed(now, errors.New(st.err))
				} else {
					s := &reader.Snapshot{}
					st.snap(s)
					var subs []error
					for _, m := range st.sub {
						subs = append(subs, errors.New(m))
					}
					got = tr.Succeeded(now, s, subs)
				}
				var names []string
				for _, n := range got {
					names = append(names, n.Severity.String()+" "+n.Cond)
					if n.Message == "" || strings.ContainsAny(n.Message, "\n\x00") || !n.Time.Equal(now) {
						t.Errorf("step %d: notification %+v: want a one-line message and the read's time", i, n)
					}
				}
				if fmt.Sprint(names) != fmt.Sprint(st.want) && !(len(names) == 0 && len(st.want) == 0) {
					t.Errorf("step %d: got %v, want %v", i, names, st.want)
				}
			}
		})
	}
}

// TestFailureMessage: the FAILURE carries the read's one-line cause.
func TestFailureMessage(t *testing.T) {
	tr := New(DefaultOptions())
	n := tr.Failed(time.Now(), errors.New(`rtorrent "seed": dial unix /run/rt.sock: connect: connection refused`))
	if len(n) != 1 || !strings.Contains(n[0].Message, "connection refused") {
		t.Fatalf("got %+v, want one FAILURE naming the cause", n)
	}
}
