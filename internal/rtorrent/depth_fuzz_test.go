package rtorrent

import (
	"errors"
	"strings"
	"testing"
)

// shapeFrom turns fuzz bytes into a nesting shape for nested(): each byte
// wraps one level, 'a' (array) or 's' (struct) by its low bit. At most
// 2*MaxDepth levels, so the fuzzer spends its time around the bound.
func shapeFrom(ops []byte) string {
	if len(ops) > 2*MaxDepth {
		ops = ops[:2*MaxDepth]
	}
	var b strings.Builder
	for _, op := range ops {
		b.WriteByte("as"[op&1])
	}
	return b.String()
}

var fuzzLeaves = []string{"<value><i8>1</i8></value>", "<value/>", "<value><string>x</string></value>", "<value><array><data></data></array></value>", "<value><struct></struct></value>"}

// FuzzDepth: a reply of any nesting shape decodes without a panic, and
// fails exactly when its <value> nesting exceeds MaxDepth, on the fast
// path and on the path through checkShape and kolo/xmlrpc alike; where
// both decode, they agree.
func FuzzDepth(f *testing.F) {
	for _, n := range []int{0, 1, MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		f.Add([]byte(strings.Repeat("\x00", n)), byte(0))
		f.Add([]byte(strings.Repeat("\x01", n)), byte(1))
		f.Add([]byte(strings.Repeat("\x00\x01", n)[:n]), byte(2))
	}
	f.Fuzz(func(t *testing.T, ops []byte, leafSel byte) {
		shape := shapeFrom(ops)
		leaf := fuzzLeaves[int(leafSel)%len(fuzzLeaves)]
		depth := depthOf(shape)
		var vals [2]any
		for i, kolo := range []bool{false, true} {
			v, err := decodeReply([]byte(nested(shape, leaf, kolo)))
			if deep := depth > MaxDepth; deep != (err != nil) || deep && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("shape %q (%d deep), leaf %s, kolo path %v: value %v, error %v", shape, depth, leaf, kolo, v, err)
			}
			vals[i] = v
		}
		if depth <= MaxDepth && !sameValue(vals[0], vals[1]) {
			t.Fatalf("shape %q: fast %#v, kolo %#v", shape, vals[0], vals[1])
		}
	})
}
