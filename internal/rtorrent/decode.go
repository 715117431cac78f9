package rtorrent

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/kolo/xmlrpc"
)

// decodeReply turns a methodResponse into its single value, or a *Fault.
// Integers of any XML-RPC spelling (int, i4, i8, ex:i8) come back as int64,
// strings as string, arrays as []any and structs as map[string]any.
func decodeReply(body []byte) (any, error) {
	body = sanitize(body)
	v, err := fastDecode(body)
	switch {
	case err == nil:
		if f, ok := v.(*Fault); ok {
			return nil, f
		}
		return v, nil
	case errors.Is(err, ErrTooDeep):
		return nil, err
	}
	return slowDecode(body)
}

// slowDecode is the general path through kolo/xmlrpc, for replies outside
// the fast subset and for the final word on malformed ones. kolo recurses
// without limit, so checkShape sees the reply first.
func slowDecode(body []byte) (any, error) {
	if err := checkShape(body); err != nil {
		return nil, err
	}
	if bytes.Contains(body, []byte("<fault>")) {
		var f xmlrpc.FaultError
		if err := xmlrpc.Response(body).Unmarshal(&f); err != nil {
			return nil, fmt.Errorf("malformed fault: %w", err)
		}
		return nil, &Fault{Code: f.Code, Message: f.String}
	}
	if !bytes.Contains(body, []byte("<methodResponse")) {
		return nil, fmt.Errorf("not an XML-RPC reply (starts %q)", truncate(string(body), 40))
	}
	// The decoder stops at the first complete value; a reply cut after it
	// must not pass for whole.
	if !bytes.HasSuffix(bytes.TrimRight(body, " \t\r\n"), []byte("</methodResponse>")) {
		return nil, fmt.Errorf("malformed XML-RPC reply: truncated (no closing </methodResponse>)")
	}
	// A response holds exactly one value; the decoder would take the
	// first of several and drop the rest without a word.
	if n := bytes.Count(body, []byte("<param>")); n != 1 {
		return nil, fmt.Errorf("malformed XML-RPC reply: %d <param> where one belongs", n)
	}
	var v any
	if err := xmlrpc.Response(body).Unmarshal(&v); err != nil {
		return nil, fmt.Errorf("malformed XML-RPC reply: %w", err)
	}
	return v, nil
}

// sanitize makes a reply acceptable to encoding/xml without losing it:
// invalid UTF-8 (newer rTorrent releases pass raw bytes of file and tracker
// names through) and control characters XML 1.0 forbids become U+FFFD.
// Replies are scanned once; clean ones are returned as they are.
func sanitize(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				clean = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// errMulticallShape is returned when system.multicall's reply is not the
// array of one-element arrays and fault structs the protocol defines.
var errMulticallShape = errors.New("malformed system.multicall reply")
