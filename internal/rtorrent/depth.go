package rtorrent

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxDepth is how many <value> elements a reply may nest, the outermost
// counting 1. rTorrent's deepest replies are about 5 deep: system.multicall
// (1) of one-element results (2) holding d.multicall2's rows (3) of
// fields (4), t.multicall rows nested one level more (5). 32 leaves a wide
// margin for anything a front end puts in between, and is far below what
// hurts: both decoders recurse once per level, and a reply of 3,000,000
// levels (60 MB, under the reply cap) overflowed the goroutine stack,
// which kills collectd with no chance to recover.
const MaxDepth = 32

// ErrTooDeep is wrapped by the error for a reply nested deeper than
// MaxDepth <value>s (or, before kolo/xmlrpc, maxElemDepth elements). A
// reply shaped so that kolo would recurse past its nesting is a
// malformed reply instead (shapeError).
var ErrTooDeep = errors.New("reply nested too deep")

type depthError struct {
	at       int
	elements bool // the element bound of checkShape, not the <value> bound
}

func (e depthError) Error() string {
	if e.elements {
		return fmt.Sprintf("reply nests elements deeper than %d levels (refused at byte %d)", maxElemDepth, e.at)
	}
	return fmt.Sprintf("reply nests <value> deeper than %d levels (refused at byte %d)", MaxDepth, e.at)
}
func (e depthError) Unwrap() error { return ErrTooDeep }

// shapeError is a reply whose XML-RPC skeleton kolo/xmlrpc could be led
// astray by (see checkShape).
type shapeError struct {
	what string
	at   int
}

func (e shapeError) Error() string {
	return fmt.Sprintf("malformed XML-RPC reply: %s at byte %d", e.what, e.at)
}

// Element kinds checkShape tells apart.
const (
	kOther  byte = iota // outside any value: methodResponse, params, ...
	kParam              // <param> or <fault>, outside any value
	kValue              // <value>
	kArray              // <array> inside a value
	kData               // <data> inside an array
	kStruct             // <struct> inside a value
	kMember             // <member> inside a struct
	kName               // <name> inside a member
	kScalar             // any other type inside a value, or anything under one
)

// maxElemDepth bounds the element stack of checkShape: a value level is at
// most three elements (value, array, data or value, struct, member), plus
// the envelope.
const maxElemDepth = 3*MaxDepth + 8

// checkShape runs before a reply reaches kolo/xmlrpc, whose decoder
// recurses once per <value> it enters and has no limit. Counting nesting
// alone does not bound it: inside a <member> it looks for the next <value>
// start tag wherever it is, past the member's own end, so a flat run of
// members without a value (nesting 3) recursed once per member and
// overflowed the stack too. checkShape therefore checks the skeleton that
// keeps kolo's recursion equal to the nesting of <value> elements:
//
//   - a <value> sits directly in <param>, <fault>, <data> or <member>;
//   - a <value> holds at most one element (its type);
//   - an <array> holds only <data>, a <data> only <value>s, a <struct>
//     only <member>s, and a <member> exactly <name> then <value>;
//   - <value> nests at most MaxDepth deep, elements maxElemDepth deep.
//
// It is one pass over the bytes with a fixed-size stack, tolerant of what
// the fast decoder is not (comments, CDATA, processing instructions,
// attributes, namespace prefixes); malformed XML it cannot follow is
// refused, as kolo would refuse it.
func checkShape(b []byte) error {
	var stack [maxElemDepth]byte
	var seen [maxElemDepth]byte // children seen, for value and member
	n, depth := 0, 0
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return nil
		}
		at := i + j
		rest := b[at:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest[4:], []byte("-->"))
			if k < 0 {
				return shapeError{"unterminated comment", at}
			}
			i = at + 4 + k + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest[9:], []byte("]]>"))
			if k < 0 {
				return shapeError{"unterminated CDATA", at}
			}
			i = at + 9 + k + 3
			continue
		case bytes.HasPrefix(rest, []byte("<?")):
			k := bytes.Index(rest[2:], []byte("?>"))
			if k < 0 {
				return shapeError{"unterminated processing instruction", at}
			}
			i = at + 2 + k + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			// A DOCTYPE; one with an internal subset could hide markup.
			k := bytes.IndexByte(rest, '>')
			if k < 0 || bytes.IndexByte(rest[:k], '[') >= 0 {
				return shapeError{"unexpected <! markup", at}
			}
			i = at + k + 1
			continue
		}
		closing := len(rest) > 1 && rest[1] == '/'
		name, end, empty, ok := scanTag(rest, closing)
		if !ok {
			return shapeError{"unterminated tag", at}
		}
		i = at + end
		if k := bytes.LastIndexByte(name, ':'); k >= 0 {
			name = name[k+1:] // encoding/xml, and so kolo, go by the local name
		}
		if closing {
			if n == 0 {
				return shapeError{"end tag without start", at}
			}
			n--
			if stack[n] == kValue {
				depth--
			}
			if stack[n] == kMember && seen[n] != 2 {
				return shapeError{"<member> without <name> and <value>", at}
			}
			continue
		}
		parent, kind := kOther, kOther
		if n > 0 {
			parent = stack[n-1]
		}
		switch parent {
		case kOther, kParam:
			switch string(name) {
			case "value":
				if parent != kParam {
					return shapeError{"<value> outside <param>, <fault>, <data> or <member>", at}
				}
				kind = kValue
			case "param", "fault":
				kind = kParam
			}
		case kValue:
			if seen[n-1]++; seen[n-1] > 1 {
				return shapeError{"<value> holding more than one element", at}
			}
			switch string(name) {
			case "array":
				kind = kArray
			case "struct":
				kind = kStruct
			default:
				kind = kScalar
			}
		case kArray:
			if string(name) != "data" {
				return shapeError{"<array> holding other than <data>", at}
			}
			kind = kData
		case kData:
			if string(name) != "value" {
				return shapeError{"<data> holding other than <value>", at}
			}
			kind = kValue
		case kStruct:
			if string(name) != "member" {
				return shapeError{"<struct> holding other than <member>", at}
			}
			kind = kMember
		case kMember:
			switch {
			case seen[n-1] == 0 && string(name) == "name":
				kind = kName
			case seen[n-1] == 1 && string(name) == "value":
				kind = kValue
			default:
				return shapeError{"<member> holding other than <name> then <value>", at}
			}
			seen[n-1]++
		case kName, kScalar:
			if string(name) == "value" {
				return shapeError{"<value> inside a scalar", at}
			}
			kind = kScalar
		}
		if kind == kValue {
			if depth++; depth > MaxDepth {
				return depthError{at: at}
			}
		}
		if n == maxElemDepth {
			return depthError{at: at, elements: true}
		}
		if empty {
			if kind == kMember {
				return shapeError{"<member> without <name> and <value>", at}
			}
			if kind == kValue {
				depth--
			}
			continue
		}
		stack[n], seen[n] = kind, 0
		n++
	}
}

// scanTag reads the tag at the start of b ("<name ...>", "</name>" or
// "<name .../>"): its name, the offset just past its '>' and whether it
// is empty. Quoted attribute values may hold '>'.
func scanTag(b []byte, closing bool) (name []byte, end int, empty, ok bool) {
	k := 1
	if closing {
		k = 2
	}
	start := k
	for k < len(b) {
		c := b[k]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' {
			break
		}
		k++
	}
	name = b[start:k]
	var quote byte
	for ; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, k + 1, !closing && b[k-1] == '/', len(name) > 0
		}
	}
	return nil, 0, false, false
}
