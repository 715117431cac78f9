package rtorrent

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// fastDecode parses the subset of XML-RPC that rTorrent's xmlrpc-c writes
// (methodResponse, fault, array, struct, string, int/i4/i8/ex:i8, boolean,
// double, nil) straight from the bytes. A 10,000-item scan reply is several
// MiB; going through encoding/xml's token stream and reflection costs about
// four times rTorrent's own time to produce it. Anything outside the subset
// returns errNotFast, and decodeReply hands the reply to kolo/xmlrpc.
func fastDecode(b []byte) (any, error) {
	p := &parser{b: b}
	p.skipProlog()
	if err := p.open("methodResponse"); err != nil {
		return nil, err
	}
	name, closing, empty, err := p.tag()
	if err != nil || closing || empty {
		return nil, p.fail("want <params> or <fault>")
	}
	var v any
	switch name {
	case "params":
		if err := p.seq("param", "value"); err != nil {
			return nil, err
		}
		if v, err = p.value(); err != nil {
			return nil, err
		}
		if err := p.closeSeq("param", "params"); err != nil {
			return nil, err
		}
	case "fault":
		if err := p.open("value"); err != nil {
			return nil, err
		}
		fv, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.close("fault"); err != nil {
			return nil, err
		}
		m, _ := fv.(map[string]any)
		code, ok := m["faultCode"].(int64)
		msg, ok2 := m["faultString"].(string)
		if !ok || !ok2 {
			return nil, p.fail("fault without faultCode and faultString")
		}
		v = &Fault{Code: int(code), Message: msg}
	default:
		return nil, p.fail("want <params> or <fault>")
	}
	if err := p.close("methodResponse"); err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, p.fail("trailing data")
	}
	return v, nil
}

// errNotFast marks input outside the fast subset (or malformed): the
// caller falls back to the general decoder, which has the final word.
var errNotFast = errors.New("not in the fast subset")

type parser struct {
	b     []byte
	i     int
	depth int // <value> elements open, bounded by MaxDepth
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errNotFast, what, p.i)
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) skipProlog() {
	p.space()
	if bytes.HasPrefix(p.b[p.i:], []byte("<?")) {
		if j := bytes.Index(p.b[p.i:], []byte("?>")); j >= 0 {
			p.i += j + 2
		}
	}
}

// tag reads the next tag after optional whitespace: its name, whether it
// closes (</x>) and whether it is empty (<x/>). Attributes are not part of
// XML-RPC and are refused.
func (p *parser) tag() (name string, closing, empty bool, err error) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '<' {
		return "", false, false, p.fail("want a tag")
	}
	j := bytes.IndexByte(p.b[p.i:], '>')
	if j < 0 {
		return "", false, false, p.fail("unterminated tag")
	}
	t := p.b[p.i+1 : p.i+j]
	p.i += j + 1
	if len(t) > 0 && t[0] == '/' {
		closing, t = true, t[1:]
	} else if len(t) > 0 && t[len(t)-1] == '/' {
		empty, t = true, t[:len(t)-1]
	}
	if len(t) == 0 || bytes.ContainsAny(t, " \t\r\n=\"'<!?") {
		return "", false, false, p.fail("unexpected markup")
	}
	return string(t), closing, empty, nil
}

func (p *parser) open(name string) error {
	n, closing, empty, err := p.tag()
	if err != nil || n != name || closing || empty {
		return p.fail("want <" + name + ">")
	}
	return nil
}

func (p *parser) close(name string) error {
	n, closing, _, err := p.tag()
	if err != nil || n != name || !closing {
		return p.fail("want </" + name + ">")
	}
	return nil
}

func (p *parser) seq(names ...string) error {
	for _, n := range names {
		if err := p.open(n); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) closeSeq(names ...string) error {
	for _, n := range names {
		if err := p.close(n); err != nil {
			return err
		}
	}
	return nil
}

// text reads character data up to the next '<' and resolves entities.
func (p *parser) text() (string, error) {
	j := bytes.IndexByte(p.b[p.i:], '<')
	if j < 0 {
		return "", p.fail("unterminated text")
	}
	raw := p.b[p.i : p.i+j]
	p.i += j
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return string(raw), nil
	}
	return unescapeXML(raw)
}

// value parses what follows <value> up to and including </value>. It
// recurses through arrays and structs, one level per <value>, so it
// refuses nesting beyond MaxDepth with an error that is final: the reply
// must not reach the general decoder, which would recurse without limit.
func (p *parser) value() (any, error) {
	if p.depth++; p.depth > MaxDepth {
		return nil, depthError{at: p.i}
	}
	v, err := p.valueBody()
	p.depth--
	return v, err
}

func (p *parser) valueBody() (any, error) {
	start := p.i
	p.space()
	if p.i < len(p.b) && p.b[p.i] != '<' {
		// An untyped value is a string, whitespace included.
		p.i = start
		s, err := p.text()
		if err != nil {
			return nil, err
		}
		return s, p.close("value")
	}
	name, closing, empty, err := p.tag()
	if err != nil {
		return nil, err
	}
	if closing {
		if name != "value" {
			return nil, p.fail("want </value>")
		}
		return "", nil // <value></value>: the empty string
	}
	var v any
	switch name {
	case "string":
		if empty {
			v = ""
			break
		}
		s, err := p.text()
		if err != nil {
			return nil, err
		}
		v = s
		err = p.close("string")
		if err != nil {
			return nil, err
		}
	case "i8", "ex:i8", "i4", "int":
		if empty {
			return nil, p.fail("empty integer")
		}
		s, err := p.text()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, p.fail("bad integer")
		}
		v = n
		if err := p.close(name); err != nil {
			return nil, err
		}
	case "boolean":
		s, err := p.text()
		if err != nil || empty {
			return nil, p.fail("bad boolean")
		}
		switch strings.TrimSpace(s) {
		case "1":
			v = true
		case "0":
			v = false
		default:
			return nil, p.fail("bad boolean")
		}
		if err := p.close(name); err != nil {
			return nil, err
		}
	case "double":
		s, err := p.text()
		if err != nil || empty {
			return nil, p.fail("bad double")
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, p.fail("bad double")
		}
		v = f
		if err := p.close(name); err != nil {
			return nil, err
		}
	case "array":
		if empty {
			return nil, p.fail("empty <array/>")
		}
		if v, err = p.array(); err != nil {
			return nil, err
		}
	case "struct":
		if empty {
			v = map[string]any{}
			break
		}
		if v, err = p.structure(); err != nil {
			return nil, err
		}
	case "nil", "ex:nil":
		if !empty {
			return nil, p.fail("<nil> with content")
		}
	default:
		return nil, p.fail("type <" + name + ">")
	}
	return v, p.close("value")
}

func (p *parser) array() (any, error) {
	name, closing, empty, err := p.tag()
	if err != nil || name != "data" || closing {
		return nil, p.fail("want <data>")
	}
	out := []any{}
	if !empty {
		for {
			name, closing, empty, err := p.tag()
			if err != nil {
				return nil, err
			}
			if closing && name == "data" {
				break
			}
			if name != "value" || closing {
				return nil, p.fail("want <value>")
			}
			if empty {
				if p.depth+1 > MaxDepth { // <value/> counts as a level too
					return nil, depthError{at: p.i}
				}
				out = append(out, "")
				continue
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, p.close("array")
}

func (p *parser) structure() (any, error) {
	out := map[string]any{}
	for {
		name, closing, _, err := p.tag()
		if err != nil {
			return nil, err
		}
		if closing && name == "struct" {
			return out, nil
		}
		if name != "member" || closing {
			return nil, p.fail("want <member>")
		}
		if err := p.open("name"); err != nil {
			return nil, err
		}
		key, err := p.text()
		if err != nil {
			return nil, err
		}
		if err := p.close("name"); err != nil {
			return nil, err
		}
		if err := p.open("value"); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[key] = v
		if err := p.close("member"); err != nil {
			return nil, err
		}
	}
}

// unescapeXML resolves the five predefined entities and character
// references. Anything else is refused, like encoding/xml does. Line ends
// written as such are normalised as XML requires (and encoding/xml does):
// "\r\n" and a lone "\r" become "\n"; a "&#13;" stays a carriage return.
func unescapeXML(raw []byte) (string, error) {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '\r' {
			b.WriteByte('\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
			continue
		}
		if c != '&' {
			b.WriteByte(c)
			i++
			continue
		}
		j := bytes.IndexByte(raw[i:], ';')
		if j < 0 {
			return "", fmt.Errorf("%w: unterminated entity", errNotFast)
		}
		ent := string(raw[i+1 : i+j])
		i += j + 1
		switch ent {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = errNotFast
			}
			if err != nil || !isXMLChar(rune(n)) {
				return "", fmt.Errorf("%w: entity &%s;", errNotFast, ent)
			}
			b.WriteRune(rune(n))
		}
	}
	return b.String(), nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
