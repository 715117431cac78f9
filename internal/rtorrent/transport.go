package rtorrent

import (
	"context"
	"errors"
	"io"
)

// transport carries one XML-RPC request body to rTorrent and returns the
// reply body. Implementations honour ctx's deadline and the reply cap.
type transport interface {
	roundTrip(ctx context.Context, body []byte) ([]byte, error)
}

// opError tags a transport failure with the step that failed; Client turns
// it into an *Error carrying the instance and URL.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// readCapped reads r to EOF, failing once more than limit bytes arrive, so a
// runaway reply costs at most limit bytes of memory.
func readCapped(r io.Reader, limit int64, sizeHint int64) ([]byte, error) {
	if sizeHint > limit {
		return nil, tooLargeError{limit}
	}
	// One byte beyond the announced length lets the read that finds EOF
	// land without growing: a 4 MB scan reply was copied into 8 MB.
	buf := make([]byte, 0, initialCap(sizeHint)+1)
	lr := &io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, tooLargeError{limit}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func initialCap(hint int64) int {
	const small, big = 16 << 10, 64 << 20
	switch {
	case hint <= 0:
		return small
	case hint > big:
		return big
	}
	return int(hint)
}
