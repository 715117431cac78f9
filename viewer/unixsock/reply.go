package unixsock

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

const (
	// maxReplyLines caps the line count a reply may announce. LISTVAL on
	// a central collectd with a thousand hosts lists some 10^5 values; a
	// count far beyond that is a broken or hostile peer, and reading it
	// would hold the connection and the memory for nothing.
	maxReplyLines = 1 << 20
	// maxLineLen caps one reply line. collectd's longest lines are LISTVAL
	// entries: a time and an identifier of five parts of at most 127 bytes.
	maxLineLen = 64 << 10
	// maxBlankLines is how many empty lines may precede a status line.
	// collectd 5.12 sends one after some errors ("Type `x' is unknown.").
	maxBlankLines = 8
)

// reply is a successful (status >= 0) reply.
type reply struct {
	status  int
	message string
	lines   []string
	// resync: the reply's framing was in doubt (see readListReply); the
	// connection must not carry another command.
	resync bool
}

// readReply reads one reply. A negative status comes back as *ServerError
// (the connection is still in step); every other error wraps ErrProtocol
// or is an I/O error, after which the connection must be dropped.
func readReply(r *bufio.Reader, command string) (*reply, error) {
	return readAnyReply(r, command, false)
}

// readAnyReply reads a reply whose lines are LISTVAL entries when entries
// is set (see readEntries), plain lines otherwise.
func readAnyReply(r *bufio.Reader, command string, entries bool) (*reply, error) {
	var first string
	for blanks := 0; ; blanks++ {
		line, err := readLine(r)
		if err != nil {
			return nil, fmt.Errorf("reading status line: %w", err)
		}
		if line != "" {
			first = line
			break
		}
		if blanks >= maxBlankLines {
			return nil, fmt.Errorf("%w: more than %d empty lines instead of a status line", ErrProtocol, maxBlankLines)
		}
	}
	status, message, err := parseStatus(first)
	if err != nil {
		return nil, err
	}
	if status < 0 {
		return nil, &ServerError{Command: command, Status: status, Message: message}
	}
	if status > maxReplyLines {
		return nil, fmt.Errorf("%w: reply announces %d lines, more than the cap of %d", ErrProtocol, status, maxReplyLines)
	}
	rep := &reply{status: status, message: message, lines: make([]string, 0, min(status, 4096))}
	if entries {
		if err := readEntries(r, rep, status); err != nil {
			return nil, err
		}
		return rep, nil
	}
	for i := 0; i < status; i++ {
		line, err := readLine(r)
		if err != nil {
			return nil, fmt.Errorf("reply truncated after %d of %d lines: %w", i, status, err)
		}
		rep.lines = append(rep.lines, line)
	}
	return rep, nil
}

// readLine reads one '\n'-terminated line of at most maxLineLen bytes and
// returns it without the newline (and without a '\r' before it). A line
// cut short by EOF is io.ErrUnexpectedEOF, not a line.
func readLine(r *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLineLen+1 {
			return "", fmt.Errorf("%w: line longer than %d bytes", ErrProtocol, maxLineLen)
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			buf = bytes.TrimSuffix(buf[:len(buf)-1], []byte{'\r'})
			return string(buf), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 {
				return "", io.EOF
			}
			return "", io.ErrUnexpectedEOF
		default:
			return "", err
		}
	}
}

// parseStatus splits "<status> <message>".
func parseStatus(line string) (int, string, error) {
	num, msg, _ := strings.Cut(line, " ")
	status, err := strconv.Atoi(num)
	if err != nil || num == "" || num[0] == '+' {
		return 0, "", fmt.Errorf("%w: malformed status line %q", ErrProtocol, clip(line))
	}
	return status, msg, nil
}

// Value is one data source of a GETVAL reply.
type Value struct {
	Name  string
	Value float64 // a rate for DERIVE, COUNTER and ABSOLUTE; NaN if unknown
}

// parseValueLine reads "name=value" as GETVAL prints it.
func parseValueLine(line string) (Value, error) {
	name, val, ok := strings.Cut(line, "=")
	if !ok || name == "" {
		return Value{}, fmt.Errorf("%w: malformed value line %q", ErrProtocol, clip(line))
	}
	// ParseFloat reads collectd's "NaN" (and "nan", "inf") as well.
	f, err := strconv.ParseFloat(val, 64)
	if err != nil {
		return Value{}, fmt.Errorf("%w: value line %q: %v", ErrProtocol, clip(line), err)
	}
	return Value{Name: name, Value: f}, nil
}

// Entry is one line of a LISTVAL reply.
type Entry struct {
	Time time.Time // when collectd last received the value
	ID   Identifier
}

// parseListLine reads "<epoch>[.<fraction>] <identifier>". The identifier
// is everything after the first space: LISTVAL prints it unquoted, spaces
// and all.
func parseListLine(line string) (Entry, error) {
	ts, ident, ok := strings.Cut(line, " ")
	if !ok {
		return Entry{}, fmt.Errorf("%w: malformed LISTVAL line %q", ErrProtocol, clip(line))
	}
	t, err := parseEpoch(ts)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: LISTVAL line %q: %v", ErrProtocol, clip(line), err)
	}
	id, err := ParseIdentifier(ident)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: LISTVAL line: %w", ErrProtocol, err)
	}
	return Entry{Time: t, ID: id}, nil
}

// parseEpoch reads seconds with an optional decimal fraction exactly,
// without going through float64.
func parseEpoch(s string) (time.Time, error) {
	secs, frac, hasFrac := strings.Cut(s, ".")
	if secs == "" || !allDigits(secs) || len(secs) > 12 {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: %v", s, err)
	}
	var nsec int64
	if hasFrac {
		if frac == "" || !allDigits(frac) {
			return time.Time{}, fmt.Errorf("bad time %q", s)
		}
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Unix(sec, nsec), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens a line quoted in an error message.
func clip(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
