package rrd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscapeTable(t *testing.T) {
	tests := []struct{ in, escape, text string }{
		{"plain", "plain", "plain"},
		{"a:b", `a\:b`, `a\:b`},
		{"::", `\:\:`, `\:\:`},
		{`back\slash`, `back\slash`, `back\slash`},
		{`a\:b`, `a\\:b`, `a\\:b`},
		{`a\\:b`, `a\\\:b`, `a\\\:b`},
		{`ends\x`, `ends\x`, `ends\x  `},
		{`ends\l`, `ends\l`, `ends\l  `},
		{`two\\`, `two\\`, `two\\  `},
		{`one\`, `one\`, `one\  `}, // would glue the next field's ':' (":STACK")
		{`zzzzz\`, `zzzzz\`, `zzzzz\  `},
		{`x\:`, `x\\:`, `x\\:  `},
		{"new\nline", "new\nline", "new\uFFFDline"},
		{"tab\tdel\x7f", "tab\tdel\x7f", "tab\uFFFDdel\uFFFD"},
		{"bad\xffutf8", "bad\xffutf8", "bad\uFFFDutf8"},
		{"100%", "100%", "100%"},
		{"%s%%%d", "%s%%%d", "%s%%%d"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := Escape(tc.in); got != tc.escape {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.escape)
		}
		if got := EscapeText(tc.in); got != tc.text {
			t.Errorf("EscapeText(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

// TestEscapeTextStacks draws two stacked areas, the second with a legend
// holding rrdtool's special characters, the way graphs.Args builds a
// stacked graph (AREA:v#color:LEGEND:STACK). The second area must stack
// (the y range reaches the sum of both files' maxima) and its legend must
// show the name as it is. A legend ending in a backslash once swallowed
// the ":STACK" ("zzzzz:STACK", area drawn unstacked).
func TestEscapeTextStacks(t *testing.T) {
	dir := t.TempDir()
	a, b := makeRRD(t, dir, "a.rrd", 1), makeRRD(t, dir, "b.rrd", 2)
	sum := a.v[nUpd-1] + b.v[nUpd-1]
	for _, name := range []string{`zzzzz\`, `a\`, `x\:`, `a:b`, `a\\:b`, `ends\\`, `50%`, `%s%n`, `back\slash`, "plain"} {
		t.Run(name, func(t *testing.T) {
			g, err := Graph(append(rangeArgs(), "--lower-limit", "0",
				"DEF:a="+Escape(a.path)+":v:AVERAGE", "DEF:b="+Escape(b.path)+":v:AVERAGE",
				"AREA:a#ff0000:first", "AREA:b#00ff00:"+EscapeText(name)+":STACK"))
			if err != nil {
				t.Fatal(err)
			}
			if g.ValueMax < sum {
				t.Errorf("y range up to %v, below the stacked maximum %v: the second area was not stacked", g.ValueMax, sum)
			}
			if len(g.Legend) != 2 || strings.TrimSpace(g.Legend[1]) != name {
				t.Errorf("legend lines %q, want the second to show %q", g.Legend, name)
			}
		})
	}
	// A newline is drawn as U+FFFD, on the same legend line.
	g, err := Graph(append(rangeArgs(), "DEF:a="+Escape(a.path)+":v:AVERAGE", "LINE1:a#ff0000:"+EscapeText("two\nlines")))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Legend) != 1 || strings.TrimSpace(g.Legend[0]) != "two\uFFFDlines" {
		t.Errorf("legend lines %q, want one line two\uFFFDlines", g.Legend)
	}
}

// TestEscapedPaths draws from files whose names would break or change a DEF
// argument if used raw; each must read its own file.
func TestEscapedPaths(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		"host:with:colons/load.rrd",
		`back\slash/load.rrd`,
		`mixed\:both/load.rrd`,
		"inject.rrd:v:MAX:step=1/load.rrd", // looks like extra DEF fields
		"with space/and=equals.rrd",
	}
	for i, name := range names {
		full := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		f := makeRRD(t, filepath.Dir(full), filepath.Base(full), float64(i+1))
		t.Run(name, func(t *testing.T) {
			x, err := Xport(append(rangeArgs(), "DEF:a="+Escape(f.path)+":v:AVERAGE", "XPORT:a:"+Escape(name)))
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Legends) != 1 || x.Legends[0] != name {
				t.Errorf("legend = %q, want %q", x.Legends, name)
			}
			checkRows(t, f, x.Time, x.Rows, []int{0})

			g, err := Graph(append(rangeArgs(),
				"DEF:a="+Escape(f.path)+":v:AVERAGE",
				"LINE1:a#00ff00:"+EscapeText(name),
				"COMMENT:"+EscapeText(name)+`\l`,
				"PRINT:a:MAX:%.0lf"))
			if err != nil {
				t.Fatal(err)
			}
			if want := f.v[nUpd-1]; len(g.Print) != 1 || g.Print[0] != strings.TrimSuffix(strings.TrimSuffix(fmtFloat(want), ".0"), ".") {
				t.Errorf("PRINT max = %q, want %v (the file's own data)", g.Print, want)
			}
			if !containsTrimmed(g.Legend, name) {
				t.Errorf("legend lines %q do not show %q", g.Legend, name)
			}
		})
	}

	// Unescaped, the colon splits the path and librrd fails to open it.
	_, err := Graph(append(rangeArgs(), "DEF:a="+filepath.Join(dir, names[0])+":v:AVERAGE", "LINE1:a#00ff00"))
	if err == nil {
		t.Error("unescaped path with colons unexpectedly worked")
	}
}

// TestEscapeTextControlCodes draws legends whose last two characters would
// be taken for an alignment code; raw they fail the whole graph.
func TestEscapeTextControlCodes(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	for _, text := range []string{`name\h`, `dir\`, `x\\`, `a\:`, `ok`, `trail\`} {
		t.Run(text, func(t *testing.T) {
			g, err := Graph(append(rangeArgs(), "DEF:a="+Escape(f.path)+":v:AVERAGE",
				"LINE1:a#00ff00:"+EscapeText(text), "COMMENT:"+EscapeText(text)))
			if err != nil {
				t.Fatalf("escaped: %v", err)
			}
			if n := countTrimmed(g.Legend, text); n != 2 {
				t.Errorf("legend lines %q show %q %d times, want 2", g.Legend, text, n)
			}
		})
	}
	_, err := Graph(append(rangeArgs(), "DEF:a="+Escape(f.path)+":v:AVERAGE", "LINE1:a#00ff00", `COMMENT:name\h`))
	if err == nil || !strings.Contains(err.Error(), "Unknown control code") {
		t.Errorf("raw text ending in \\h: error = %v, want librrd's control code error", err)
	}
}

func countTrimmed(list []string, want string) int {
	n := 0
	for _, s := range list {
		if strings.TrimSpace(s) == want {
			n++
		}
	}
	return n
}
