package rrd

import "fmt"

// Error is a failure reported by librrd. Msg is librrd's own text (for a
// missing file, for example, "opening '/x.rrd': No such file or directory"),
// kept whole so the caller can log exactly what rrdtool would print.
type Error struct {
	Op  string // "graph", "xport", "fetch", "lastupdate", "info"
	Msg string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("rrd %s: failed without a message", e.Op)
	}
	return fmt.Sprintf("rrd %s: %s", e.Op, e.Msg)
}

func newError(op string, b *errBuf) error {
	return &Error{Op: op, Msg: b.String()}
}
