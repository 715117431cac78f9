package testenv

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// A small bencode writer and reader: enough to make .torrent files and to
// read tracker replies without depending on mktorrent or a library.
// Values: int, int64, string, []byte, []any, map[string]any.

// bencode appends the encoding of v to dst. Dictionary keys are written in
// sorted (raw byte) order, as BitTorrent requires for a stable info hash.
func bencode(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case int:
		return bencodeInt(dst, int64(x)), nil
	case int64:
		return bencodeInt(dst, x), nil
	case string:
		dst = strconv.AppendInt(dst, int64(len(x)), 10)
		dst = append(dst, ':')
		return append(dst, x...), nil
	case []byte:
		dst = strconv.AppendInt(dst, int64(len(x)), 10)
		dst = append(dst, ':')
		return append(dst, x...), nil
	case []any:
		dst = append(dst, 'l')
		for _, e := range x {
			var err error
			if dst, err = bencode(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, 'e'), nil
	case []string:
		dst = append(dst, 'l')
		for _, e := range x {
			dst, _ = bencode(dst, e)
		}
		return append(dst, 'e'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dst = append(dst, 'd')
		for _, k := range keys {
			dst, _ = bencode(dst, k)
			var err error
			if dst, err = bencode(dst, x[k]); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
		}
		return append(dst, 'e'), nil
	}
	return nil, fmt.Errorf("bencode: unsupported type %T", v)
}

func bencodeInt(dst []byte, n int64) []byte {
	dst = append(dst, 'i')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, 'e')
}

// mustBencode is bencode for values built by this package, whose types are
// known to be supported.
func mustBencode(v any) []byte {
	b, err := bencode(nil, v)
	if err != nil {
		panic(err)
	}
	return b
}

// bdecode decodes one bencoded value that must span all of data. Strings
// come back as string (byte-exact), integers as int64.
func bdecode(data []byte) (any, error) {
	v, rest, err := bdecodeOne(data)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("bdecode: %d trailing bytes", len(rest))
	}
	return v, nil
}

func bdecodeOne(b []byte) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, fmt.Errorf("bdecode: unexpected end")
	}
	switch c := b[0]; {
	case c == 'i':
		end := bytes.IndexByte(b, 'e')
		if end < 0 {
			return nil, nil, fmt.Errorf("bdecode: unterminated integer")
		}
		n, err := strconv.ParseInt(string(b[1:end]), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("bdecode: integer: %w", err)
		}
		return n, b[end+1:], nil
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(b, ':')
		if colon < 0 {
			return nil, nil, fmt.Errorf("bdecode: string without ':'")
		}
		n, err := strconv.Atoi(string(b[:colon]))
		if err != nil || n < 0 || colon+1+n > len(b) {
			return nil, nil, fmt.Errorf("bdecode: bad string length %q", b[:colon])
		}
		return string(b[colon+1 : colon+1+n]), b[colon+1+n:], nil
	case c == 'l':
		list := []any{}
		b = b[1:]
		for len(b) > 0 && b[0] != 'e' {
			v, rest, err := bdecodeOne(b)
			if err != nil {
				return nil, nil, err
			}
			list = append(list, v)
			b = rest
		}
		if len(b) == 0 {
			return nil, nil, fmt.Errorf("bdecode: unterminated list")
		}
		return list, b[1:], nil
	case c == 'd':
		dict := map[string]any{}
		b = b[1:]
		for len(b) > 0 && b[0] != 'e' {
			k, rest, err := bdecodeOne(b)
			if err != nil {
				return nil, nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, nil, fmt.Errorf("bdecode: dictionary key is %T", k)
			}
			v, rest, err := bdecodeOne(rest)
			if err != nil {
				return nil, nil, fmt.Errorf("bdecode: key %q: %w", ks, err)
			}
			dict[ks] = v
			b = rest
		}
		if len(b) == 0 {
			return nil, nil, fmt.Errorf("bdecode: unterminated dictionary")
		}
		return dict, b[1:], nil
	default:
		return nil, nil, fmt.Errorf("bdecode: unexpected byte %q", c)
	}
}
