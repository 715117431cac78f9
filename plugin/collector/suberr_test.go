package collector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestSubErrorSaidAgainAfterOutage: a sub-call that keeps failing is
// logged once, not every interval; after rTorrent was unreachable and
// came back, the same problem (still there) is logged once more, so the
// log after an outage does not suggest all is well.
func TestSubErrorSaidAgainAfterOutage(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	proxy := testenv.StartTamperProxy(t, rt)
	const broken = "throttle.global_up.max_rate"
	subFault := func(m string, _ []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		if m == broken {
			return nil, &testenv.Fault{Code: -501, String: "Unsupported target type found."}
		}
		return v, f
	}
	down := func(m string, _ []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		if m == "system.multicall" {
			return nil, &testenv.Fault{Code: -503, String: "Call XML not a proper XML-RPC call."}
		}
		return v, f
	}
	c, log := newCollector(t, proxy.URL, 5*time.Second, (&sink{}).write)
	warned := func() int {
		log.mu.Lock()
		defer log.mu.Unlock()
		n := 0
		for _, x := range log.lines {
			if x.sev == "warning" && strings.Contains(x.msg, broken) {
				n++
			}
		}
		return n
	}
	read := func() { c.Read(context.Background(), interval) }

	proxy.Set(subFault)
	for i := 0; i < 3; i++ {
		read()
	}
	if n := warned(); n != 1 {
		t.Fatalf("%d warnings naming %s after 3 reads, want 1\n%s", n, broken, log)
	}
	proxy.Set(down)
	read()
	if log.count("error") != 1 {
		t.Fatalf("want one ERROR for the outage\n%s", log)
	}
	proxy.Set(subFault)
	read()
	read()
	if log.count("notice") != 1 {
		t.Fatalf("want one NOTICE for the recovery\n%s", log)
	}
	if n := warned(); n != 2 {
		t.Fatalf("%d warnings naming %s, want 2: once before the outage, once after\n%s", n, broken, log)
	}
}
