package reader

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// asInt reads an XML-RPC integer. rTorrent sends <i8>, which decodes to
// int64; a string holding digits is accepted too, since some commands
// defined in a user's rc return their value as text.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		// Only a whole number int64 holds: converting NaN, an infinity
		// or 1e300 gives a value Go leaves to the platform.
		if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
			return 0, false
		}
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// describeValue names what a value is, for messages: its type and a short
// quote, never the whole of a huge string.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "empty"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return strconv.Quote(x)
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		return "a struct"
	}
	return fmt.Sprintf("%T %v", v, v)
}

func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func ptr[T any](v T) *T { return &v }
