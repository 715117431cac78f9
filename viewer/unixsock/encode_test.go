package unixsock

import (
	"errors"
	"strings"
	"testing"
)

// unquote reads one argument the way collectd 5.12's parse_string does: a
// leading '"' starts a quoted string in which '\' takes the next character
// literally; otherwise the argument runs to the next space and a backslash
// is an ordinary character. It is the test's model of the server side.
func unquote(s string) (arg, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		arg, rest, _ = strings.Cut(s, " ")
		return arg, rest, true
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			rest = s[i+1:]
			if rest != "" && rest[0] != ' ' {
				return "", "", false
			}
			return b.String(), strings.TrimPrefix(rest, " "), true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"h/load/load", "h/load/load"},
		{"h/my plugin/gauge", `"h/my plugin/gauge"`},
		{`h/q"uote/gauge`, `"h/q\"uote/gauge"`},
		{`h/back\slash/gauge`, `h/back\slash/gauge`}, // literal when unquoted
		{`h/both \ and "/gauge`, `"h/both \\ and \"/gauge"`},
		{"", `""`},
		{`"`, `"\""`},
	}
	for _, tc := range tests {
		got := quote(tc.in)
		if got != tc.want {
			t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
		back, rest, ok := unquote(got + " next")
		if !ok || back != tc.in || rest != "next" {
			t.Errorf("collectd would read %s as %q (rest %q, ok %v), want %q", got, back, rest, ok, tc.in)
		}
	}
}

func TestBuildCommandLimits(t *testing.T) {
	// "GETVAL " is 7 bytes: an identifier of 1016 bytes makes 1023.
	id := func(n int) string { return "h/p/t-" + strings.Repeat("x", n-6) }
	if cmd, err := buildCommand("GETVAL", id(1016)); err != nil || len(cmd) != MaxCommandLen {
		t.Errorf("1023-byte command: len %d, %v; want accepted", len(cmd), err)
	}
	for _, n := range []int{1017, 2000} {
		if _, err := buildCommand("GETVAL", id(n)); !errors.Is(err, ErrCommandTooLong) {
			t.Errorf("%d-byte command: %v, want ErrCommandTooLong", n+7, err)
		}
	}
	if _, err := buildCommand("GETVAL", "h/p/t\nLISTVAL"); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("newline in command: %v, want a refusal", err)
	}
}
