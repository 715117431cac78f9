package unixsock

import (
	"bufio"
	"fmt"
)

// collectd prints LISTVAL names as they are. A name holding a newline
// (collectd's network plugin accepts any byte but NUL from a peer, and
// its python and perl plugins can dispatch one) spreads one entry over
// several lines, so the count on the status line no longer counts lines:
// read naively, the rest of the reply would be taken as the next
// command's, and every LISTVAL after it would fail. One hostile peer
// would take the viewer's live data down for every host.
//
// readListReply therefore joins a line that does not start like an entry
// ("<digits>[.<digits>] ") to the entry before it, newline included, so
// that ListVal can drop that entry as an invalid identifier. A
// continuation that happens to start like an entry cannot be told apart;
// it reads as an entry of its own and pushes the last real entry out of
// the reply. Either way the reply says resync, and the client then drops
// the connection, so no leftover line is ever read as another reply.
func readListReply(r *bufio.Reader, command string) (*reply, error) {
	rep, err := readAnyReply(r, command, true)
	if err != nil {
		return nil, err
	}
	if r.Buffered() > 0 {
		rep.resync = true
	}
	return rep, nil
}

// readEntries reads n LISTVAL entries after the status line, joining
// continuation lines (see readListReply). At most maxReplyLines physical
// lines are read in all.
func readEntries(r *bufio.Reader, rep *reply, n int) error {
	for lines := 0; len(rep.lines) < n; lines++ {
		if lines >= maxReplyLines {
			return fmt.Errorf("%w: LISTVAL reply longer than %d lines", ErrProtocol, maxReplyLines)
		}
		line, err := readLine(r)
		if err != nil {
			return fmt.Errorf("reply truncated after %d of %d entries: %w", len(rep.lines), n, err)
		}
		if k := len(rep.lines); k > 0 && !startsLikeEntry(line) {
			rep.lines[k-1] += "\n" + line
			rep.resync = true
			continue
		}
		rep.lines = append(rep.lines, line)
	}
	return nil
}

// startsLikeEntry reports whether line begins with "<digits>[.<digits>] ".
func startsLikeEntry(line string) bool {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(line) && line[i] == '.' {
		j := i + 1
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	return i < len(line) && line[i] == ' '
}
