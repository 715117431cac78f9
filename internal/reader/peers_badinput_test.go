package reader_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestPeerFlagsBadReplies: p.multicall replies that fault or are
// malformed give one warning naming p.multicall (the flag counts are low
// that scan), while a clean reply gives none. The items are idle, so the
// tamper proxy claims each has a peer to make the reader ask.
func TestPeerFlagsBadReplies(t *testing.T) {
	b := startBadStack(t)
	withPeers := func(pm func(v any, f *testenv.Fault) (any, *testenv.Fault)) testenv.Tamper {
		return func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
			if m == "p.multicall" {
				return pm(v, f)
			}
			col := -1
			for i, a := range args {
				if a == "d.hash=" {
					col = i
				}
				if a == "d.peers_connected=" && col >= 0 {
					col = i - col
					break
				}
			}
			if rows, ok := v.([]any); ok && col > 0 && f == nil {
				for _, r := range rows {
					if row, ok := r.([]any); ok && col < len(row) {
						row[col] = int64(1)
					}
				}
			}
			return v, f
		}
	}
	for _, tc := range []struct {
		name string
		pm   func(v any, f *testenv.Fault) (any, *testenv.Fault)
		want string // in the one p.multicall sub-error; "" for none
	}{
		{"clean", func(v any, f *testenv.Fault) (any, *testenv.Fault) { return v, f }, ""},
		{"fault", func(any, *testenv.Fault) (any, *testenv.Fault) {
			return nil, &testenv.Fault{Code: -503, String: "Call XML not a proper XML-RPC call."}
		}, fmt.Sprintf("%d failed calls", badItems)},
		{"not an array", func(any, *testenv.Fault) (any, *testenv.Fault) { return "peers", nil }, "want an array of peers"},
		{"short row", func(any, *testenv.Fault) (any, *testenv.Fault) { return []any{[]any{int64(1)}}, nil }, "want 6 fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.proxy.Set(withPeers(tc.pm))
			defer b.proxy.Set(nil)
			r := b.reader(t, reader.DefaultOptions())
			if _, err := r.Read(context.Background(), true); err != nil {
				t.Fatalf("read failed as a whole: %v", err)
			}
			var got []string
			for _, e := range r.SubErrors() {
				if strings.Contains(e.Error(), "p.multicall") {
					got = append(got, e.Error())
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Fatalf("clean p.multicall replies gave %q", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Fatalf("sub-errors naming p.multicall: %q, want one containing %q", got, tc.want)
			}
			for _, g := range got {
				if strings.ContainsAny(g, "\n\r") || !strings.Contains(g, `rtorrent "main"`) && !strings.Contains(g, "peer flags") {
					t.Errorf("not one line naming what: %q", g)
				}
			}
		})
	}
}

// TestItemGoneFaultIsRTorrents: the fault the reader treats as "the item
// left meanwhile" (not worth a warning) is the one rTorrent really gives.
func TestItemGoneFaultIsRTorrents(t *testing.T) {
	b := startBadStack(t)
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: b.rt.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), "p.multicall", strings.Repeat("AB", 20), "", "p.is_incoming=")
	if err == nil || !strings.Contains(err.Error(), "Could not find info-hash") {
		t.Fatalf("p.multicall of an unknown hash: %v, want rTorrent's \"Could not find info-hash\" fault", err)
	}
}
