package rtorrent

import (
	"errors"
	"reflect"
	"strings"
	"testing"
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
