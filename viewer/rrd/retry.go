package rrd

import (
	"errors"
	"strings"
	"time"
)

// lockRetryDelays are the waits between attempts when a file is locked.
// collectd's rrdtool plugin holds an fcntl write lock on a file while it
// writes to it, a few milliseconds; a read meeting it fails at once with
// librrd's "could not lock RRD" (viewer/rrd/readlock keeps that refusal
// while it drops librrd's own read lock). Right after the viewer's own FLUSH that
// collision is likely, so reads retry for about 0.3 s in all before giving
// up with librrd's message.
var lockRetryDelays = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
	40 * time.Millisecond, 80 * time.Millisecond, 160 * time.Millisecond,
}

// Locked reports whether err is librrd failing to lock a file that another
// process (collectd, rrdcached, rrdtool update) is writing.
func Locked(err error) bool {
	var e *Error
	return errors.As(err, &e) && strings.Contains(e.Msg, "could not lock RRD")
}

// retryLocked runs call again while it fails only because a file is
// locked, waiting lockRetryDelays between attempts.
func retryLocked[T any](call func() (T, error)) (T, error) {
	v, err := call()
	for _, d := range lockRetryDelays {
		if !Locked(err) {
			break
		}
		time.Sleep(d)
		v, err = call()
	}
	return v, err
}
