package rtorrent

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
)

// Error is a failed call, carrying the instance and URL so that one log line
// is enough to tell which rTorrent failed and how.
type Error struct {
	Instance string // instance name from the configuration
	URL      string // the URL with any password removed
	Op       string // dial, write, read, decode, http, ...
	Err      error
}

func (e *Error) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("rtorrent %q (%s): %v", e.Instance, e.URL, e.Err)
	}
	return fmt.Sprintf("rtorrent %q (%s): %s: %v", e.Instance, e.URL, e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Fault is an XML-RPC fault returned by rTorrent for one method.
type Fault struct {
	Code    int
	Message string
	Method  string
}

// FaultMethodNotDefined is the code xmlrpc-c answers for an unknown method.
const FaultMethodNotDefined = -506

func (f *Fault) Error() string {
	msg := f.Message
	if f.Code == FaultMethodNotDefined {
		msg = "method not defined"
	}
	if f.Method == "" {
		return fmt.Sprintf("fault %d %s", f.Code, msg)
	}
	return fmt.Sprintf("fault %d %s: %s", f.Code, msg, f.Method)
}

// IsMethodMissing reports whether err says the method does not exist in this
// rTorrent (an older release, or a command the user's rc never defined).
func IsMethodMissing(err error) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == FaultMethodNotDefined
}

// IsTransport reports whether err is a failure to reach rTorrent or to read
// its reply at all, as opposed to a fault or a decoding problem: the cases
// where rTorrent may have restarted and what we know about it is stale.
func IsTransport(err error) bool {
	var e *Error
	if !errors.As(err, &e) || errors.Is(err, ErrReplyTooLarge) {
		// A reply over the cap came from a healthy rTorrent.
		return false
	}
	switch e.Op {
	case "dial", "write", "read", "http":
		return true
	}
	return false
}

// ErrReplyTooLarge is wrapped by the error for a reply over the size cap.
var ErrReplyTooLarge = errors.New("reply too large")

type tooLargeError struct{ limit int64 }

func (e tooLargeError) Error() string {
	return fmt.Sprintf("reply larger than %s", formatBytes(e.limit))
}
func (e tooLargeError) Unwrap() error { return ErrReplyTooLarge }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cause strips Go's network error wrapping down to what a user needs to
// read: "connection refused" rather than "dial unix /x: connect: connection
// refused", since the URL is already in the message. net/http's errors
// (*url.Error) repeat the URL, user part included: that goes too.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	var sys *os.SyscallError
	if errors.As(err, &sys) {
		err = sys.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errors.New("deadline exceeded (rTorrent did not answer in time)")
	}
	return err
}
