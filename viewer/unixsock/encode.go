package unixsock

import (
	"fmt"
	"strings"
)

// MaxCommandLen is the longest command line, without its newline, that
// collectd reads whole: its unixsock plugin reads lines with fgets into a
// 1024-byte buffer. A longer line is cut there and the remainder runs as a
// separate command, so the client refuses such commands instead.
const MaxCommandLen = 1023

// quote returns s as one argument of a command: as is when it holds no
// space or double quote (and is not empty), otherwise in double quotes with
// '\' and '"' escaped by a backslash. Unquoted, collectd takes a backslash
// literally, so a bare backslash needs no quoting.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \"") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// option returns key=value with the value quoted as an argument; collectd
// parses the value after '=' like any other string.
func option(key, value string) string { return key + "=" + quote(value) }

// buildCommand joins a verb and its (already quoted) arguments and checks
// the result against what collectd can read as one command.
func buildCommand(verb string, args ...string) (string, error) {
	cmd := verb
	if len(args) > 0 {
		cmd += " " + strings.Join(args, " ")
	}
	if err := checkChars(cmd); err != nil {
		return "", fmt.Errorf("%s: %w", verb, err)
	}
	if len(cmd) > MaxCommandLen {
		return "", fmt.Errorf("%s: %w: %d bytes, limit %d", verb, ErrCommandTooLong, len(cmd), MaxCommandLen)
	}
	return cmd, nil
}
