package catalogue

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.org", "example.org"},
		{"tracker_1.example.org", "tracker_1.example.org"},
		{"my-site.net", "my~2Dsite.net"},
		{"::1", "~3A~3A1"},
		{"../etc/passwd", "~2E.~2Fetc~2Fpasswd"},
		{"a..b", "a.~2Eb"},
		{".hidden", "~2Ehidden"},
		{"-rf", "~2Drf"},
		{"Movies HD", "Movies~20HD"},
		{"Filme/Serien", "Filme~2FSerien"},
		{"ü", "~C3~BC"},
		{"~", "~7E"},
		{"", "~"},
		{"a\x00b", "a~00b"},
	} {
		got := Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		back, truncated, err := Unescape(got)
		if err != nil || truncated || back != tc.in {
			t.Errorf("Unescape(%q) = %q, %v, %v; want %q", got, back, truncated, err, tc.in)
		}
	}
}

func TestUnescapeRejects(t *testing.T) {
	for _, in := range []string{"a-b", "a/b", "~4", "~G0", "a:b", "x~"} {
		if _, _, err := Unescape(in); err == nil {
			t.Errorf("Unescape(%q): no error", in)
		}
	}
}

func TestGroupInstanceFits(t *testing.T) {
	long := strings.Repeat("ü", 100) // 200 bytes, 600 escaped
	a := GroupInstance("tracker", long)
	b := GroupInstance("tracker", long+"x")
	if len(a) > MaxNameLen || len(b) > MaxNameLen {
		t.Fatalf("lengths %d, %d over %d", len(a), len(b), MaxNameLen)
	}
	if a == b {
		t.Fatalf("two long names share the instance %q", a)
	}
	if !strings.HasPrefix(a, "tracker_~C3~BC") || !strings.Contains(a, "~~") {
		t.Fatalf("shortened instance %q: want readable head and ~~hash", a)
	}
	head, truncated, err := Unescape(strings.TrimPrefix(a, "tracker_"))
	if err != nil || !truncated || !strings.HasPrefix(long, head) || head == "" {
		t.Fatalf("Unescape(shortened) = %q, %v, %v", head, truncated, err)
	}
	if got := GroupInstance("label", "short"); got != "label_short" {
		t.Fatalf("GroupInstance(label, short) = %q", got)
	}
}

// FuzzEscape checks the promises Escape makes for any input: reversible,
// and never a character that breaks a path, an identifier or an rrdtool
// argument.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "example.org", "..", "a-b", "/", ":", "ü", "~~", strings.Repeat("-", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		e := Escape(name)
		checkSafe(t, e)
		back, truncated, err := Unescape(e)
		if err != nil || truncated || back != name {
			t.Fatalf("Unescape(Escape(%q)) = %q, %v, %v", name, back, truncated, err)
		}
		gi := GroupInstance("tracker", name)
		checkSafe(t, gi)
		if len(gi) > MaxNameLen {
			t.Fatalf("GroupInstance(%q) is %d bytes", name, len(gi))
		}
	})
}

func checkSafe(t *testing.T, s string) {
	t.Helper()
	if s == "" || strings.Contains(s, "..") || strings.ContainsAny(s, "/:- \x00\"\\") || s[0] == '.' {
		t.Fatalf("unsafe escaped name %q", s)
	}
}
