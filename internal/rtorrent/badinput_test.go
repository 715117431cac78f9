package rtorrent

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Replies of the wrong shape from a fake server (a real rTorrent does not
// send them): each is one error line naming the instance and the method,
// never a panic, never a value next to an error.

func response(v string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value>` + v + `</value></param></params></methodResponse>`
}

func faultValue(code, msg string) string {
	return `<struct><member><name>faultCode</name><value>` + code + `</value></member><member><name>faultString</name><value>` + msg + `</value></member></struct>`
}

func checkLineErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || len(msg) > 1024 {
		t.Errorf("error is not one short line: %.300q", msg)
	}
	if !strings.HasPrefix(msg, `rtorrent "main" (`) {
		t.Errorf("error %q does not name the instance and URL first", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

// TestBadHeaders: SCGI reply headers no rTorrent sends; the reader gives
// up with a clear error instead of buffering an endless header line.
func TestBadHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, reply string
		repeat      int // times the reply is sent (0: once)
		want        string
	}{
		{"endless header line", "Status: 200 OK\r\nX-Junk: ", 0, "header line longer than"},
		{"too many header lines", "X-A: b\r\n", 100, "more than 64 header lines"},
		{"NUL in status", "Status: 2\x0000\r\n\r\n", 0, "malformed reply status"},
		{"negative length", "Status: 200 OK\r\nContent-Length: -5\r\n\r\n", 0, "malformed reply Content-Length"},
		{"length not a number", "Content-Length: 1e3\r\n\r\n", 0, "malformed reply Content-Length"},
		{"length overflows", "Content-Length: 99999999999999999999\r\n\r\n", 0, "malformed reply Content-Length"},
		{"status 404", "Status: 404 Not Found\r\n\r\n", 0, "SCGI status 404"},
		{"headers never end", "Status: 200 OK\r\n", 0, "connection closed before the reply was complete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := fakeSCGI(t, func(c net.Conn, _ string) {
				io.WriteString(c, strings.Repeat(tc.reply, max(tc.repeat, 1)))
				if tc.name == "endless header line" {
					junk := strings.Repeat("j", 64<<10)
					for i := 0; i < 1600; i++ { // 100 MiB, more than the reply cap
						if _, err := io.WriteString(c, junk); err != nil {
							return
						}
					}
				}
			})
			c, err := New(Config{Name: "main", URL: url, MaxReplyBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Call(context.Background(), "system.pid")
			if v != nil {
				t.Errorf("value %#v with error %v", v, err)
			}
			checkLineErr(t, err, "read: ", tc.want)
		})
	}
}

// TestBadReplyShapes: well-formed XML-RPC of the wrong shape for what the
// plugin asked.
func TestBadReplyShapes(t *testing.T) {
	three := []Method{{Name: "system.pid"}, {Name: "throttle.global_up.rate"}, {Name: "view.size", Args: []any{"", "main"}}}
	for _, tc := range []struct {
		name  string
		reply string
		call  func(c *Client) (any, error)
		want  []string
	}{
		{"listMethods not an array", response("<string>x</string>"),
			func(c *Client) (any, error) { return c.Methods(context.Background()) },
			[]string{"decode: system.listMethods: want an array, got a string"}},
		{"listMethods a struct", response("<struct></struct>"),
			func(c *Client) (any, error) { return c.Methods(context.Background()) },
			[]string{"system.listMethods: want an array, got a struct"}},
		{"multicall not an array", response("<i8>1</i8>"),
			func(c *Client) (any, error) { return c.Multicall(context.Background(), three) },
			[]string{"malformed system.multicall reply", "want 3 results, got a int64"}},
		{"multicall short", response("<array><data><value><array><data><value><i8>1</i8></value></data></array></value></data></array>"),
			func(c *Client) (any, error) { return c.Multicall(context.Background(), three) },
			[]string{"malformed system.multicall reply", "want 3 results, got an array of 1"}},
		{"multicall long", response(strings.Repeat("<array><data><value><i8>1</i8></value></data></array>", 1)),
			func(c *Client) (any, error) { return c.Multicall(context.Background(), three[:0]) },
			[]string{"malformed system.multicall reply"}},
		{"fault code a string", `<methodResponse><fault><value>` + faultValue("<string>x</string>", "<string>y</string>") + `</value></fault></methodResponse>`,
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"system.pid"}},
		{"fault without members", `<methodResponse><fault><value><struct></struct></value></fault></methodResponse>`,
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"system.pid"}},
		{"fault not a struct", `<methodResponse><fault><value><i4>-501</i4></value></fault></methodResponse>`,
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"system.pid"}},
		{"two params", `<methodResponse><params><param><value><i8>1</i8></value></param><param><value><i8>2</i8></value></param></params></methodResponse>`,
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"system.pid"}},
		{"no params", `<methodResponse><params></params></methodResponse>`,
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"system.pid"}},
		{"integer overflow", response("<i8>99999999999999999999</i8>"),
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"decode: system.pid"}},
		{"unknown type", response("<foo>1</foo>"),
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"decode: system.pid"}},
		{"html error page", "<html><body>502 Bad Gateway</body></html>",
			func(c *Client) (any, error) { return c.Call(context.Background(), "system.pid") },
			[]string{"decode: system.pid: not an XML-RPC reply"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := fakeSCGI(t, func(c net.Conn, _ string) { reply(c, tc.reply) })
			c, err := New(Config{Name: "main", URL: url})
			if err != nil {
				t.Fatal(err)
			}
			v, err := tc.call(c)
			if err == nil {
				t.Fatalf("got %#v, want an error", v)
			}
			checkLineErr(t, err, tc.want...)
		})
	}
}

// TestBadMulticallEntries: one bad entry in a system.multicall reply costs
// that sub-call only, with an error naming its method.
func TestBadMulticallEntries(t *testing.T) {
	entries := []string{
		"<array><data><value><i8>7</i8></value></data></array>",                                            // good
		"<string>not wrapped</string>",                                                                     // not an array
		"<array><data><value><i8>1</i8></value><value><i8>2</i8></value></data></array>",                   // two values
		"<array><data></data></array>",                                                                     // no value
		faultValue("<i4>-501</i4>", "<string>Unsupported target type found.</string>"),                     // a fault
		faultValue("<string>-501</string>", "<i4>3</i4>"),                                                  // a fault of wrong types
		"<struct><member><name>x</name><value><i4>1</i4></value></member></struct>",                        // a struct that is no fault
		"<array><data><value><array><data><value><i8>1</i8></value></data></array></value></data></array>", // good, nested
	}
	var calls []Method
	var body strings.Builder
	for i, e := range entries {
		calls = append(calls, Method{Name: fmt.Sprintf("m%d", i)})
		body.WriteString("<value>" + e + "</value>")
	}
	url := fakeSCGI(t, func(c net.Conn, _ string) { reply(c, response("<array><data>"+body.String()+"</data></array>")) })
	c, _ := New(Config{Name: "main", URL: url})
	res, err := c.Multicall(context.Background(), calls)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Value != int64(7) || res[7].Err != nil {
		t.Errorf("good entries: %+v %+v", res[0], res[7])
	}
	for i := 1; i < 7; i++ {
		if res[i].Value != nil {
			t.Errorf("entry %d: value %#v next to error %v", i, res[i].Value, res[i].Err)
		}
		checkLineErr(t, res[i].Err, fmt.Sprintf("m%d", i))
	}
}

// BenchmarkHugeScanReply: an item scan reply of 100,000 items, each with a
// 200-character d.message (about 64 MB of XML, near the default cap),
// read over SCGI and decoded, as the plugin's scan would. Reports time,
// allocations and the reply size:
//
//	go test -run XXX -bench HugeScanReply -benchmem ./internal/rtorrent/
func BenchmarkHugeScanReply(b *testing.B) {
	body := hugeScanBody(100000, 200)
	url := fakeSCGI(b, func(c net.Conn, _ string) { reply(c, body) })
	c, err := New(Config{Name: "main", URL: url, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		v, err := c.Call(context.Background(), "d.multicall2", "", "main")
		if err != nil {
			b.Fatal(err)
		}
		if rows := v.([]any); len(rows) != 100000 {
			b.Fatalf("%d rows", len(rows))
		}
	}
}

// hugeScanBody renders n rows of the item scan's twelve fields, the
// message msgLen characters long, as rTorrent's xmlrpc-c writes them.
func hugeScanBody(n, msgLen int) string {
	msg := strings.Repeat("Tracker: [Failure reason \"unregistered torrent\"] ", msgLen/50+1)[:msgLen]
	msg = strings.ReplaceAll(msg, `"`, "&quot;")
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse>\n<params>\n<param><value><array><data>\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "<value><array><data>\n<value><string>%040X</string></value>\n", i)
		for k := 0; k < 6; k++ {
			sb.WriteString("<value><i8>1</i8></value>\n")
		}
		sb.WriteString("<value><string>" + msg + "</string></value>\n")
		for k := 0; k < 4; k++ {
			sb.WriteString("<value><i8>1500</i8></value>\n")
		}
		sb.WriteString("</data></array></value>\n")
	}
	sb.WriteString("</data></array></value></param>\n</params>\n</methodResponse>\n")
	return sb.String()
}
