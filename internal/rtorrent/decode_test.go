package rtorrent

import (
	"bytes"
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"
)

func TestDecodeReply(t *testing.T) {
	wrap := func(v string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value>` + v + `</value></param></params></methodResponse>`
	}
	tests := []struct {
		name, body string
		want       any
	}{
		{"i8", wrap("<i8>5000000000</i8>"), int64(5000000000)},
		{"ex:i8", wrap("<ex:i8>-7</ex:i8>"), int64(-7)},
		{"i4", wrap("<i4>42</i4>"), int64(42)},
		{"int", wrap("<int>1</int>"), int64(1)},
		{"string", wrap("<string>caf\u00e9</string>"), "caf\u00e9"},
		{"invalid utf8", wrap("<string>bad\xff\xfename</string>"), "bad\uFFFD\uFFFDname"},
		{"control char", wrap("<string>a\x01b</string>"), "a\uFFFDb"},
		{"array", wrap("<array><data><value><i8>1</i8></value><value><string>x</string></value></data></array>"), []any{int64(1), "x"}},
		{"empty array", wrap("<array><data></data></array>"), []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeReply([]byte(tt.body))
			if err != nil {
				t.Fatalf("decodeReply: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeFault(t *testing.T) {
	body := `<?xml version="1.0"?><methodResponse><fault><value><struct>
<member><name>faultCode</name><value><i4>-506</i4></value></member>
<member><name>faultString</name><value><string>Method 'x' not defined</string></value></member>
</struct></value></fault></methodResponse>`
	_, err := decodeReply([]byte(body))
	var f *Fault
	if !errors.As(err, &f) || f.Code != -506 {
		t.Fatalf("err = %v, want a -506 fault", err)
	}
}

func TestDecodeGarbage(t *testing.T) {
	for _, body := range []string{"", "garbage", "<html>502 Bad Gateway</html>", `<methodResponse><params><param><value><i8>12`, `<methodResponse><params><param><value><i8>abc</i8></value></param></params></methodResponse>`} {
		if _, err := decodeReply([]byte(body)); err == nil {
			t.Errorf("decodeReply(%q) succeeded, want an error", body)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("error for %q spans lines: %q", body, err)
		}
	}
}

// FuzzDecodeReply checks that no reply, however malformed, panics the
// decoder or yields both a value and an error.
func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><array><data><value><string>ABC</string></value><value><i8>1</i8></value></data></array></value></data></array></value></param></params></methodResponse>`))
	f.Add([]byte(`<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>-501</i4></value></member></struct></value></fault></methodResponse>`))
	f.Add([]byte("<methodResponse><params><param><value><string>\xff</string></value></param></params></methodResponse>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeReply(body)
		if err != nil && v != nil {
			t.Fatalf("value %#v together with error %v", v, err)
		}
	})
}

// FuzzFastDecode checks the fast decoder against kolo/xmlrpc: wherever
// both accept a reply they must agree, and the fast one never panics.
func FuzzFastDecode(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data><value><array><data><value><string>AB&amp;C</string></value><value><i8>-12</i8></value><value><ex:i8>3</ex:i8></value><value><string></string></value></data></array></value></data></array></value></param></params></methodResponse>`))
	f.Add([]byte("<methodResponse><params><param><value><struct><member><name>a</name><value><i4>1</i4></value></member></struct></value></param></params></methodResponse>"))
	f.Add([]byte("<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-506</int></value></member><member><name>faultString</name><value><string>x &#x263A;</string></value></member></struct></value></fault></methodResponse>"))
	f.Add([]byte("<methodResponse><params><param><value>untyped &lt;</value></param></params></methodResponse>"))
	f.Add([]byte("<methodResponse><params><param><value><boolean>1</boolean></value></param></params></methodResponse>\n"))
	f.Add([]byte("<methodResponse><params><param><value><double>1.5</double></value></param></params></methodResponse>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		body = sanitize(body)
		fast, ferr := fastDecode(body)
		if ferr != nil {
			return
		}
		var slow any
		serr := xmlrpc.Response(body).Unmarshal(&slow)
		if serr != nil {
			return // kolo refuses some things the fast path accepts (a fault is checked apart)
		}
		if _, isFault := fast.(*Fault); isFault {
			return
		}
		if koloTruncatesAfterEmptyValue(body) {
			return // kolo's defect, not ours: see TestEmptyValueKeepsRest
		}
		if !sameValue(fast, slow) {
			t.Fatalf("fast %#v != kolo %#v for %q", fast, slow, body)
		}
	})
}

func TestFastDecodeMatchesKolo(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<methodResponse>
<params>
<param><value><array><data>
<value><array><data>
<value><string>0123456789ABCDEF0123456789ABCDEF01234567</string></value>
<value><i8>1</i8></value>
<value><string>Tracker: [Failure reason &quot;unregistered&quot; &amp; more]</string></value>
<value><string></string></value>
<value><array><data>
<value><array><data><value><string>http://t.example/announce?a=1&amp;b=2</string></value></data></array></value>
</data></array></value>
</data></array></value>
</data></array></value></param>
</params>
</methodResponse>
`)
	fast, err := fastDecode(body)
	if err != nil {
		t.Fatal(err)
	}
	var slow any
	if err := xmlrpc.Response(body).Unmarshal(&slow); err != nil {
		t.Fatal(err)
	}
	if !sameValue(fast, slow) {
		t.Fatalf("fast %#v\nkolo %#v", fast, slow)
	}
}

// sameValue compares decoded values, allowing for kolo/xmlrpc's one known
// difference: it decodes an empty <string></string> to nil, where the fast
// decoder (rightly) gives "".
// koloTruncatesAfterEmptyValue reports whether body holds a <value> with
// nothing but white space (or comments) before its </value>. kolo/xmlrpc
// consumes that </value> while decoding the empty value and then skips to
// the end of the enclosing element, so every array element after it is
// dropped. The fast decoder reads it as "" (XML-RPC's default type is
// string) and keeps the rest, so the two cannot be compared there.
// CI's fuzzing found this (seed 801586349d2cdc23).
func koloTruncatesAfterEmptyValue(body []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	inValue := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inValue = t.Name.Local == "value"
		case xml.EndElement:
			if inValue && t.Name.Local == "value" {
				return true
			}
			inValue = false
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				inValue = false
			}
		}
	}
}

// TestLineEndsNormalised: a carriage return written in a string is read
// as XML requires, the way kolo/xmlrpc (encoding/xml) reads it; one written
// as a character reference stays. FuzzFastDecode found the difference.
func TestLineEndsNormalised(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"a\rb", "a\nb"},
		{"a\r\nb", "a\nb"},
		{"\r", "\n"},
		{"\r\r\n", "\n\n"},
		{"a&#13;b", "a\rb"},
		{"a&#13;\nb&amp;\r", "a\r\nb&\n"},
	} {
		body := "<methodResponse><params><param><value><string>" + tc.raw + "</string></value></param></params></methodResponse>"
		got, err := fastDecode([]byte(body))
		if err != nil || got != tc.want {
			t.Errorf("%q: fast decoder %q, %v; want %q", tc.raw, got, err, tc.want)
		}
		var slow any
		if err := xmlrpc.Response(body).Unmarshal(&slow); err != nil || slow != tc.want {
			t.Errorf("%q: kolo %q, %v; want %q", tc.raw, slow, err, tc.want)
		}
	}
}

// TestEmptyValueKeepsRest pins the behaviour the fuzz comparison with kolo
// has to skip: an empty untyped <value></value> is the empty string and
// the elements after it are kept.
func TestEmptyValueKeepsRest(t *testing.T) {
	for _, empty := range []string{"<value></value>", "<value>\r\n</value>"} {
		body := "<methodResponse><params><param><value><array><data>" + empty +
			"<value><i4>1</i4></value></data></array></value></param></params></methodResponse>"
		got, err := fastDecode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", empty, err)
		}
		if want := []any{"", int64(1)}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", empty, got, want)
		}
		if !koloTruncatesAfterEmptyValue([]byte(body)) {
			t.Errorf("%s: the fuzz filter does not recognise it", empty)
		}
	}
	if !koloTruncatesAfterEmptyValue([]byte("<data><value><!-- c --></value></data>")) {
		t.Error("the fuzz filter misses an empty value holding a comment")
	}
	if koloTruncatesAfterEmptyValue([]byte("<value><string></string></value><value>x</value>")) {
		t.Error("the fuzz filter skips typed or non-empty values too")
	}
}

func sameValue(fast, slow any) bool {
	switch f := fast.(type) {
	case string:
		return slow == nil && f == "" || slow == f
	case []any:
		s, ok := slow.([]any)
		if !ok || len(s) != len(f) {
			return false
		}
		for i := range f {
			if !sameValue(f[i], s[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		s, ok := slow.(map[string]any)
		if !ok || len(s) != len(f) {
			return false
		}
		for k := range f {
			if !sameValue(f[k], s[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(fast, slow)
}

func BenchmarkDecodeScan(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data>`)
	for i := 0; i < 10000; i++ {
		sb.WriteString(`<value><array><data><value><string>0123456789ABCDEF0123456789ABCDEF01234567</string></value>`)
		for k := 0; k < 10; k++ {
			sb.WriteString(`<value><i8>12345</i8></value>`)
		}
		sb.WriteString(`<value><string></string></value></data></array></value>`)
	}
	sb.WriteString(`</data></array></value></param></params></methodResponse>`)
	body := []byte(sb.String())
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if _, err := fastDecode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kolo", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for i := 0; i < b.N; i++ {
			if _, err := slowDecode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
