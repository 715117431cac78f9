package rtorrent

import (
	"errors"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// nested renders a reply whose value nests len(shape)+1 levels deep: each
// 'a' wraps the inner value in an array (with a sibling before it), each
// 's' in a struct member, innermost first; leaf is the innermost value.
func nested(shape, leaf string, koloPath bool) string {
	v := leaf
	for i := len(shape) - 1; i >= 0; i-- {
		switch shape[i] {
		case 'a':
			v = "<value><array><data><value><i4>7</i4></value>" + v + "</data></array></value>"
		case 's':
			v = "<value><struct><member><name>k</name>" + v + "</member></struct></value>"
		}
	}
	head := "<methodResponse><params><param>"
	if koloPath {
		// A comment is outside the fast subset: the reply goes to checkShape
		// and kolo/xmlrpc.
		head = "<methodResponse><!-- general decoder --><params><param>"
	}
	return head + v + "</param></params></methodResponse>"
}

// depthOf is the <value> nesting of a nested reply.
func depthOf(shape string) int { return len(shape) + 1 }

func TestDepthBound(t *testing.T) {
	shapes := map[string]func(n int) string{
		"array":  func(n int) string { return strings.Repeat("a", n) },
		"struct": func(n int) string { return strings.Repeat("s", n) },
		"mixed":  func(n int) string { return strings.Repeat("as", n)[:n] },
	}
	leaves := map[string]string{"int": "<value><i8>1</i8></value>", "empty": "<value/>", "string": "<value><string>x</string></value>"}
	for shapeName, shape := range shapes {
		for leafName, leaf := range leaves {
			for _, depth := range []int{MaxDepth, MaxDepth + 1} {
				for _, kolo := range []bool{false, true} {
					path := "fast"
					if kolo {
						path = "kolo"
					}
					name := shapeName + "/" + leafName + "/" + path + "/" + strconv.Itoa(depth)
					t.Run(name, func(t *testing.T) {
						s := shape(depth - 1)
						body := nested(s, leaf, kolo)
						if depthOf(s) != depth {
							t.Fatalf("shape %q is %d deep, want %d", s, depthOf(s), depth)
						}
						_, ferr := fastDecode([]byte(body))
						if kolo && (ferr == nil || errors.Is(ferr, ErrTooDeep)) {
							t.Fatalf("the kolo-path reply did not leave the fast path as outside its subset: %v", ferr)
						}
						v, err := decodeReply([]byte(body))
						if depth <= MaxDepth {
							if err != nil || v == nil {
								t.Fatalf("%d deep: %v", depth, err)
							}
							return
						}
						if !errors.Is(err, ErrTooDeep) || v != nil {
							t.Fatalf("%d deep: value %v, error %v; want ErrTooDeep", depth, v, err)
						}
						if msg := err.Error(); !strings.Contains(msg, "deeper than 32 levels") || strings.Contains(msg, "\n") {
							t.Errorf("message %q: want one line naming the bound", msg)
						}
					})
				}
			}
		}
	}
}

// TestDepthBoundFault: a fault's value is nested the same way.
func TestDepthBoundFault(t *testing.T) {
	inner := "<value><struct><member><name>faultCode</name><value><i4>-1</i4></value></member>" +
		"<member><name>faultString</name><value><string>x</string></value></member></struct></value>"
	for _, tc := range []struct {
		wraps int
		deep  bool
	}{{MaxDepth - 2, false}, {MaxDepth - 1, true}} {
		v := inner
		for range tc.wraps {
			v = "<value><array><data>" + v + "</data></array></value>"
		}
		_, err := decodeReply([]byte("<methodResponse><fault>" + v + "</fault></methodResponse>"))
		if errors.Is(err, ErrTooDeep) != tc.deep {
			t.Errorf("fault %d deep: %v, want too deep = %v", tc.wraps+2, err, tc.deep)
		}
	}
}

// TestShapeRefusedBeforeKolo: replies that are shallow but would lead
// kolo/xmlrpc into unbounded recursion are refused before it sees them.
// The flat run of value-less members recursed once per member (the stack
// limit is lowered so that on a decoder without the check this test dies
// quickly instead of using a gigabyte).
func TestShapeRefusedBeforeKolo(t *testing.T) {
	old := debug.SetMaxStack(64 << 20)
	defer debug.SetMaxStack(old)
	env := func(v string) string {
		return "<methodResponse><!-- c --><params><param>" + v + "</param></params></methodResponse>"
	}
	flat := env("<value><array><data>" + strings.Repeat("<value><struct><member><name>a</name></member></struct></value>", 400000) + "</data></array></value>")
	tests := []struct{ name, body, want string }{
		{"flat members without value", flat, "<member> without <name> and <value>"},
		{"empty member", env("<value><struct><member/></struct></value>"), "<member> without"},
		{"member with extra element", env("<value><struct><member><name>a</name><x/><value>1</value></member></struct></value>"), "<member> holding other"},
		{"value outside param", "<methodResponse><!-- c --><params><x><value>1</value></x></params></methodResponse>", "<value> outside"},
		{"value in scalar", env("<value><string><value>1</value></string></value>"), "<value> inside a scalar"},
		{"two types in a value", env("<value><i4>1</i4><i4>2</i4></value>"), "more than one element"},
		{"array without data", env("<value><array><value>1</value></array></value>"), "<array> holding other"},
		{"elements too deep", env("<value><string>" + strings.Repeat("<x>", maxElemDepth) + "</string></value>"), "elements deeper than 104 levels"},
		{"unterminated comment", env("<value><!-- x</value>"), "unterminated comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeReply([]byte(tt.body))
			if err == nil || v != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("value %v, error %v; want an error containing %q", v, err, tt.want)
			}
		})
	}
}

// TestShapeAcceptsGeneralXML: what the general decoder is there for still
// reaches it: comments, CDATA, attributes, namespace prefixes.
func TestShapeAcceptsGeneralXML(t *testing.T) {
	body := `<?xml version="1.0"?><!DOCTYPE methodResponse><methodResponse><!-- c --><params><param>` +
		`<value xmlns:ex="urn:x"><array a=">"><data><value><ex:i8>5</ex:i8></value><value><string><![CDATA[<value>]]></string></value>` +
		`<value><struct><member><name>n</name><!-- c --><value><string>u</string></value></member></struct></value></data></array></value>` +
		`</param></params></methodResponse>`
	v, err := decodeReply([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(5), "<value>", map[string]any{"n": "u"}}
	if !sameValue(v, want) {
		t.Fatalf("got %#v, want %#v", v, want)
	}
}
