package catalogue

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// MaxNameLen is the longest plugin instance or type instance collectd
// keeps: DATA_MAX_NAME_LEN is 128 bytes including the terminating NUL.
// The plugin's glue (plugin/collectd) refuses a longer name rather than
// cut it; every name we build stays within this limit.
const MaxNameLen = 127

// Escape turns a tracker domain or label, which may hold any bytes, into a
// string that is safe inside a collectd type instance, an RRD file name and
// an rrdtool argument: bytes in [A-Za-z0-9._] stay, every other byte becomes
// "~XX" (two upper-case hex digits). A '.' that would start the result or
// follow another '.' is escaped too, so the result never holds "..", and it
// never holds '/', ':', '-', a space or a NUL. The empty string becomes "~".
//
// '-' is escaped on purpose: collectd splits "type-type_instance" on the
// first '-' only, so it would be legal, but consumers that split on every
// '-' (graphite paths, hand-written scripts) then still get the name back.
func Escape(name string) string {
	if name == "" {
		return "~"
	}
	var b strings.Builder
	b.Grow(len(name))
	prevDot := true // a leading '.' is escaped like a second one
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.' && !prevDot:
			b.WriteByte(c)
			prevDot = true
			continue
		case keep(c):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "~%02X", c)
		}
		prevDot = false
	}
	return b.String()
}

func keep(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// Unescape reverses Escape. A name that was shortened to fit (see
// GroupInstance) cannot be restored: Unescape returns its readable prefix
// and truncated = true.
func Unescape(s string) (name string, truncated bool, err error) {
	if s == "~" {
		return "", false, nil
	}
	if i := strings.Index(s, "~~"); i >= 0 {
		s, truncated = s[:i], true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '~' {
			if !keep(c) && c != '.' {
				return "", false, fmt.Errorf("catalogue: %q is not an escaped name: byte %q at %d", s, c, i)
			}
			b.WriteByte(c)
			continue
		}
		if i+3 > len(s) {
			return "", false, fmt.Errorf("catalogue: %q is not an escaped name: short escape at %d", s, i)
		}
		v, perr := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if perr != nil {
			return "", false, fmt.Errorf("catalogue: %q is not an escaped name: bad escape at %d", s, i)
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), truncated, nil
}

// GroupInstance is the type instance of a tracker domain's or a label's
// breakdown: group + "_" + Escape(name), shortened to fit collectd's name
// buffers (see fitName).
func GroupInstance(group, name string) string {
	prefix := group + "_"
	return prefix + fitName(prefix, Escape(name), name)
}

// fitName shortens an escaped name so that prefix+name fits MaxNameLen.
// A shortened name keeps a readable head and ends in "~~" plus 8 hex digits
// of a hash of the original, so two long names that share a head still get
// different files. "~~" never appears in an unshortened name.
func fitName(prefix, escaped, original string) string {
	room := MaxNameLen - len(prefix)
	if len(escaped) <= room {
		return escaped
	}
	h := fnv.New32a()
	h.Write([]byte(original))
	tail := fmt.Sprintf("~~%08x", h.Sum32())
	head := escaped[:room-len(tail)]
	// Do not cut an escape in half.
	if i := strings.LastIndexByte(head, '~'); i >= 0 && i > len(head)-3 {
		head = head[:i]
	}
	return head + tail
}
