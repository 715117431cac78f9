package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is a small XML-RPC codec of the test environment's own, so that ground
// truth in tests never passes through the rTorrent client under test.
// Decoded values: int64 for <i4>/<int>/<i8>/<ex:i8>, string, bool, float64,
// []byte for <base64>, time.Time, []any, map[string]any, nil for <nil/>.

// Fault is an XML-RPC fault reply, e.g. -506 for an unknown method.
type Fault struct {
	Code   int
	String string
}

func (f *Fault) Error() string { return fmt.Sprintf("xmlrpc fault %d: %s", f.Code, f.String) }

// encodeCall renders a methodCall document.
func encodeCall(method string, args []any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>`)
	xml.EscapeText(&b, []byte(method))
	b.WriteString(`</methodName><params>`)
	for i, a := range args {
		b.WriteString("<param>")
		if err := encodeValue(&b, reflect.ValueOf(a)); err != nil {
			return nil, fmt.Errorf("param %d of %s: %w", i, method, err)
		}
		b.WriteString("</param>")
	}
	b.WriteString(`</params></methodCall>`)
	return b.Bytes(), nil
}

// encodeValue writes one <value>. Integers inside int32 go out as <i4>,
// larger ones as <i8>, which rTorrent (xmlrpc-c) accepts.
func encodeValue(b *bytes.Buffer, v reflect.Value) error {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	b.WriteString("<value>")
	defer b.WriteString("</value>")
	if !v.IsValid() {
		b.WriteString("<nil/>")
		return nil
	}
	if t, ok := v.Interface().(time.Time); ok {
		b.WriteString("<dateTime.iso8601>" + t.UTC().Format("20060102T15:04:05") + "</dateTime.iso8601>")
		return nil
	}
	return encodeInner(b, v)
}

func encodeInner(b *bytes.Buffer, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			b.WriteString("<i4>" + strconv.FormatInt(n, 10) + "</i4>")
		} else {
			b.WriteString("<i8>" + strconv.FormatInt(n, 10) + "</i8>")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString("<i8>" + strconv.FormatUint(v.Uint(), 10) + "</i8>")
	case reflect.Bool:
		if v.Bool() {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case reflect.Float32, reflect.Float64:
		b.WriteString("<double>" + strconv.FormatFloat(v.Float(), 'f', -1, 64) + "</double>")
	case reflect.String:
		b.WriteString("<string>")
		xml.EscapeText(b, []byte(v.String()))
		b.WriteString("</string>")
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b.WriteString("<base64>")
			raw := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(raw), v)
			b.WriteString(base64.StdEncoding.EncodeToString(raw))
			b.WriteString("</base64>")
			return nil
		}
		b.WriteString("<array><data>")
		for i := 0; i < v.Len(); i++ {
			if err := encodeValue(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteString("</data></array>")
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("map key %s: XML-RPC structs need string keys", v.Type().Key())
		}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		b.WriteString("<struct>")
		for _, k := range keys {
			b.WriteString("<member><name>")
			xml.EscapeText(b, []byte(k))
			b.WriteString("</name>")
			if err := encodeValue(b, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))); err != nil {
				return err
			}
			b.WriteString("</member>")
		}
		b.WriteString("</struct>")
	default:
		return fmt.Errorf("cannot encode %s as XML-RPC", v.Type())
	}
	return nil
}

// decodeResponse parses a methodResponse: the single param, or a *Fault.
// Invalid UTF-8 (names from torrents) is replaced rather than failing the
// whole reply, since encoding/xml rejects it.
func decodeResponse(body []byte) (any, error) {
	if !isValidUTF8(body) {
		body = []byte(strings.ToValidUTF8(string(body), "\uFFFD"))
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := expectStart(d, "methodResponse"); err != nil {
		return nil, err
	}
	se, err := nextStart(d)
	if err != nil {
		return nil, err
	}
	switch se.Name.Local {
	case "params":
		if err := expectStart(d, "param"); err != nil {
			return nil, err
		}
		if err := expectStart(d, "value"); err != nil {
			return nil, err
		}
		return decodeValue(d)
	case "fault":
		if err := expectStart(d, "value"); err != nil {
			return nil, err
		}
		v, err := decodeValue(d)
		if err != nil {
			return nil, fmt.Errorf("decode fault: %w", err)
		}
		m, _ := v.(map[string]any)
		code, _ := m["faultCode"].(int64)
		msg, _ := m["faultString"].(string)
		return nil, &Fault{Code: int(code), String: msg}
	default:
		return nil, fmt.Errorf("xmlrpc: unexpected <%s> in methodResponse", se.Name.Local)
	}
}

func isValidUTF8(b []byte) bool { return utf8.Valid(b) }

// nextStart skips to the next start element; an end element first means
// the expected child is missing.
func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("xmlrpc: %w", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			return tk, nil
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("xmlrpc: unexpected </%s>", tk.Name.Local)
		}
	}
}

func expectStart(d *xml.Decoder, name string) error {
	se, err := nextStart(d)
	if err != nil {
		return err
	}
	if se.Name.Local != name {
		return fmt.Errorf("xmlrpc: want <%s>, got <%s>", name, se.Name.Local)
	}
	return nil
}

// decodeValue decodes the inside of a <value> whose start tag was read, and
// consumes its end tag.
func decodeValue(d *xml.Decoder) (any, error) {
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("xmlrpc: %w", err)
		}
		switch tk := tok.(type) {
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement: // </value> with no type element: a string
			return text.String(), nil
		case xml.StartElement:
			v, err := decodeTyped(d, tk)
			if err != nil {
				return nil, err
			}
			if err := skipToEnd(d); err != nil { // </value>
				return nil, err
			}
			return v, nil
		}
	}
}

// skipToEnd consumes tokens up to the end of the current element.
func skipToEnd(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("xmlrpc: %w", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return fmt.Errorf("xmlrpc: %w", err)
			}
		case xml.EndElement:
			return nil
		}
	}
}

func decodeTyped(d *xml.Decoder, se xml.StartElement) (any, error) {
	switch se.Name.Local { // Local drops prefixes: <ex:i8> is "i8"
	case "array":
		return decodeArray(d)
	case "struct":
		return decodeStruct(d)
	case "nil":
		return nil, d.Skip()
	}
	var s string
	if err := d.DecodeElement(&s, &se); err != nil {
		return nil, fmt.Errorf("xmlrpc: <%s>: %w", se.Name.Local, err)
	}
	switch se.Name.Local {
	case "i4", "int", "i8", "i2", "i1":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("xmlrpc: bad <%s> %q: %w", se.Name.Local, s, err)
		}
		return n, nil
	case "string":
		return s, nil
	case "boolean":
		switch strings.TrimSpace(s) {
		case "1", "true":
			return true, nil
		case "0", "false":
			return false, nil
		}
		return nil, fmt.Errorf("xmlrpc: bad <boolean> %q", s)
	case "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("xmlrpc: bad <double> %q: %w", s, err)
		}
		return f, nil
	case "base64":
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("xmlrpc: bad <base64>: %w", err)
		}
		return raw, nil
	case "dateTime.iso8601":
		for _, layout := range []string{"20060102T15:04:05", "2006-01-02T15:04:05", time.RFC3339} {
			if tm, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
				return tm, nil
			}
		}
		return nil, fmt.Errorf("xmlrpc: bad <dateTime.iso8601> %q", s)
	}
	return nil, fmt.Errorf("xmlrpc: unknown type <%s>", se.Name.Local)
}

// eachChild reads tokens up to the end of the element d is inside and
// calls fn for every child element start (fn must consume the child);
// array, struct and member all have this shape.
func eachChild(d *xml.Decoder, fn func(se xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("xmlrpc: %w", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if err := fn(tk); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func decodeArray(d *xml.Decoder) (any, error) {
	if err := expectStart(d, "data"); err != nil {
		return nil, err
	}
	out := []any{}
	err := eachChild(d, func(se xml.StartElement) error {
		if se.Name.Local != "value" {
			return fmt.Errorf("xmlrpc: <%s> in array", se.Name.Local)
		}
		v, err := decodeValue(d)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil { // else eachChild stopped at </data>
		return nil, err
	}
	return out, skipToEnd(d) // </array>
}

func decodeStruct(d *xml.Decoder) (any, error) {
	out := map[string]any{}
	err := eachChild(d, func(se xml.StartElement) error {
		if se.Name.Local != "member" {
			return fmt.Errorf("xmlrpc: <%s> in struct", se.Name.Local)
		}
		name, v, err := decodeMember(d)
		if err != nil {
			return err
		}
		out[name] = v
		return nil
	})
	if err != nil { // else eachChild stopped at </struct>
		return nil, err
	}
	return out, nil
}

func decodeMember(d *xml.Decoder) (string, any, error) {
	var name string
	var val any
	seenVal := false
	err := eachChild(d, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "name":
			if err := d.DecodeElement(&name, &se); err != nil {
				return fmt.Errorf("xmlrpc: member name: %w", err)
			}
		case "value":
			var err error
			if val, err = decodeValue(d); err != nil {
				return err
			}
			seenVal = true
		default:
			return fmt.Errorf("xmlrpc: <%s> in member", se.Name.Local)
		}
		return nil
	})
	if err != nil { // else eachChild stopped at </member>
		return "", nil, err
	}
	if !seenVal {
		return "", nil, fmt.Errorf("xmlrpc: member %q without value", name)
	}
	return name, val, nil
}
