package testenv

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The codecs are checked against rTorrent in testenv_test.go; these cover
// forms a stock 0.9.8 does not send on demand (ex:i8, nil, bad UTF-8).

func TestDecodeResponseForms(t *testing.T) {
	wrap := func(v string) string {
		return `<?xml version="1.0"?><methodResponse><params><param><value>` + v + `</value></param></params></methodResponse>`
	}
	cases := []struct {
		name string
		xml  string
		want any
	}{
		{"i8", wrap(`<i8>8589934592</i8>`), int64(8589934592)},
		{"ex:i8", wrap(`<ex:i8>-7</ex:i8>`), int64(-7)},
		{"i4", wrap(`<i4>42</i4>`), int64(42)},
		{"untyped string", wrap(`plain &amp; simple`), "plain & simple"},
		{"string", wrap(`<string>a&lt;b</string>`), "a<b"},
		{"empty string", wrap(`<string></string>`), ""},
		{"bool", wrap(`<boolean>1</boolean>`), true},
		{"double", wrap(`<double>1.5</double>`), 1.5},
		{"base64", wrap(`<base64>aGk=</base64>`), []byte("hi")},
		{"nil", wrap(`<nil/>`), nil},
		{"ex:nil", wrap(`<ex:nil/>`), nil},
		{"nested", wrap(`<array><data><value><array><data><value><i8>1</i8></value><value>x</value></data></array></value><value><array><data></data></array></value></data></array>`),
			[]any{[]any{int64(1), "x"}, []any{}}},
		{"struct", wrap(`<struct><member><name>a</name><value><i4>1</i4></value></member><member><name>b</name><value><string>z</string></value></member></struct>`),
			map[string]any{"a": int64(1), "b": "z"}},
		{"invalid UTF-8", wrap("<string>caf\xe9</string>"), "caf\uFFFD"},
	}
	for _, c := range cases {
		got, err := decodeResponse([]byte(c.xml))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
}

func TestDecodeFaultAndGarbage(t *testing.T) {
	fault := `<?xml version="1.0"?><methodResponse><fault><value><struct>
<member><name>faultCode</name><value><i4>-506</i4></value></member>
<member><name>faultString</name><value><string>Method 'x' not defined</string></value></member>
</struct></value></fault></methodResponse>`
	_, err := decodeResponse([]byte(fault))
	var f *Fault
	if !errors.As(err, &f) || f.Code != -506 || !strings.Contains(f.String, "not defined") {
		t.Errorf("fault: %v", err)
	}
	for _, bad := range []string{"", "<html>502</html>", `<methodResponse><params><param><value><i4>12`, `<methodResponse><params><param><value><i4>x</i4></value></param></params></methodResponse>`} {
		if v, err := decodeResponse([]byte(bad)); err == nil {
			t.Errorf("%q decoded to %v without error", bad, v)
		}
	}
}

func TestEncodeCallRoundTrip(t *testing.T) {
	body, err := encodeCall("d.multicall2", []any{"", "main", int64(1) << 40, []byte{0, 1, 2}, true, map[string]any{"k": []string{"a<b"}}, nil})
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{"<methodName>d.multicall2</methodName>", "<i8>1099511627776</i8>", "<base64>AAEC</base64>",
		"<boolean>1</boolean>", "<member><name>k</name><value><array><data><value><string>a&lt;b</string></value></data></array></value></member>", "<nil/>"} {
		if !strings.Contains(s, want) {
			t.Errorf("request lacks %s:\n%s", want, s)
		}
	}
	if _, err := encodeCall("x", []any{make(chan int)}); err == nil {
		t.Error("a channel encoded")
	}
}

func TestSplitCGIResponse(t *testing.T) {
	body, err := splitCGIResponse([]byte("Status: 200 OK\r\nContent-Type: text/xml\r\n\r\n<x/>"))
	if err != nil || string(body) != "<x/>" {
		t.Errorf("got %q, %v", body, err)
	}
	if _, err := splitCGIResponse([]byte("Status: 500 Internal\r\n\r\n")); err == nil {
		t.Error("status 500 accepted")
	}
	if _, err := splitCGIResponse(nil); err == nil {
		t.Error("empty reply accepted")
	}
}

func TestBencodeRoundTrip(t *testing.T) {
	v := map[string]any{"b": int64(-3), "a": []any{"x", int64(0), map[string]any{}}, "z": "\x00\xff"}
	enc, err := bencode(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "d1:al1:xi0edee1:bi-3e1:z2:\x00\xffe"; string(enc) != want {
		t.Errorf("bencode = %q, want %q (keys sorted)", enc, want)
	}
	dec, err := bdecode(enc)
	if err != nil || !reflect.DeepEqual(dec, map[string]any{"b": int64(-3), "a": []any{"x", int64(0), map[string]any{}}, "z": "\x00\xff"}) {
		t.Errorf("bdecode = %#v, %v", dec, err)
	}
	for _, bad := range []string{"i12", "5:abc", "l", "d1:a", "x", "i1ei2e"} {
		if _, err := bdecode([]byte(bad)); err == nil {
			t.Errorf("bdecode(%q) succeeded", bad)
		}
	}
}

func TestTorrentMetaIsWellFormed(t *testing.T) {
	dir := t.TempDir()
	tor := MakeTorrent(t, dir, "m.bin", 200_000, "http://127.0.0.1:9/announce")
	v, err := bdecode(tor.Meta)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	info := m["info"].(map[string]any)
	pl := info["piece length"].(int64)
	if m["announce"] != "http://127.0.0.1:9/announce" || info["length"] != int64(200_000) || info["name"] != "m.bin" {
		t.Errorf("meta %v", m)
	}
	if n := int64(len(info["pieces"].(string)) / 20); n != (200_000+pl-1)/pl || pl <= 1024 || pl&(pl-1) != 0 {
		t.Errorf("%d pieces of %d bytes for 200000 bytes", n, pl)
	}
	for i, f := range FakeTorrents(30, "http://a/announce", "meta") {
		fm, err := bdecode(f.Meta)
		if err != nil {
			t.Fatalf("fake %d: %v", i, err)
		}
		fi := fm.(map[string]any)["info"].(map[string]any)
		if len(fi["pieces"].(string)) != 20 || fi["piece length"].(int64) < f.Size {
			t.Errorf("fake %d is not a single piece: %v", i, fi["piece length"])
		}
		if files, ok := fi["files"].([]any); ok && len(files) != f.Files || !ok && f.Files != 1 {
			t.Errorf("fake %d: Files %d, meta %v", i, f.Files, fi["files"])
		}
	}
}
