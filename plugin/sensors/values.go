package sensors

import (
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
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

func ptr[T any](v T) *T { return &v }
