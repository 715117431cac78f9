package datadir

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"
)

// checkHeader reads an RRD file's header in Go and refuses a file that
// librrd would fail on or, worse, crash on: librrd 1.7.2 trusts the step,
// the rows per archive and the current row it reads from the file, so a
// few corrupt bytes there make rrd_fetch and rrd_graph abort (malloc of an
// absurd size) or die with SIGBUS, taking the whole viewer down with them.
// A truncated or emptied file (a full disk, a crash while collectd wrote
// it) is refused too, with its name, where librrd would say only "reached
// EOF while loading header".
//
// Data sources are refused unless their name is rrdtool's own
// ([A-Za-z0-9_-], 1 to 19 characters: a name is put into DEF elements)
// and their type is one collectd writes: GAUGE, COUNTER, DERIVE or
// ABSOLUTE. The others ask librrd to interpret more of the header than
// is checked here, or than viewer/rrd/readlock/readlock.c's reasoning covers (a reader may
// see a row of an update in progress): COMPUTE keeps an RPN program in
// the header that librrd runs on every read, DCOUNTER and DDERIVE keep
// their last value as text that librrd parses.
//
// The layout is librrd's on-disk one for 64-bit Linux (unsigned long and
// time_t of 8 bytes, doubles aligned to 8), which is also the only layout
// librrd on this machine reads: it refuses files from other architectures.
// f is the open file, path its name for messages.
func checkHeader(f *os.File, path string) error {
	if strconv.IntSize != 64 {
		return nil // the offsets below are for LP64; librrd checks the rest
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("datadir: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("datadir: %s is not a usable RRD file: %s", path, fmt.Sprintf(format, args...))
	}
	size := fi.Size()
	if size < statHeadSize {
		return bad("%d bytes, shorter than an RRD header (truncated?)", size)
	}
	head := make([]byte, statHeadSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return bad("reading the header: %v", err)
	}
	if string(head[0:4]) != "RRD\x00" {
		return bad("no RRD signature")
	}
	dsCnt, rraCnt, ok := counts(head)
	if !ok {
		return bad("%d data sources and %d archives", dsCnt, rraCnt)
	}
	// The data sources first: a type librrd 1.7.2 writes in a newer
	// format version (DCOUNTER, DDERIVE) is named rather than the version.
	dsDefs := make([]byte, dsCnt*dsDefSize)
	if err := readAt(f, dsDefs, statHeadSize); err != nil {
		return bad("reading the data source definitions: %v", err)
	}
	for i := uint64(0); i < dsCnt; i++ {
		d := dsDefs[i*dsDefSize:]
		name, ok := cString(d[0:20])
		if !ok || !validDSName(name) {
			return bad("data source %d is named %q, not rrdtool's [A-Za-z0-9_-]{1,19}", i, name)
		}
		typ, _ := cString(d[20:40])
		switch typ {
		case "GAUGE", "COUNTER", "DERIVE", "ABSOLUTE":
		default:
			return bad("data source %s has type %q; only GAUGE, COUNTER, DERIVE and ABSOLUTE are read", name, typ)
		}
	}
	version := string(head[4:9])
	switch version {
	case "0001\x00", "0002\x00", "0003\x00", "0004\x00":
	default:
		return bad("unknown format version %q", version[:4])
	}
	if c := math.Float64frombits(ne.Uint64(head[16:24])); c != floatCookie {
		return bad("float cookie %g, want %g (written on another architecture, or corrupt)", c, floatCookie)
	}
	step := ne.Uint64(head[40:48])
	if step == 0 || step > maxSpan {
		return bad("step %d s", step)
	}
	liveHead := uint64(16)
	if version < "0003" {
		liveHead = 8
	}
	rraDefs := statHeadSize + dsCnt*dsDefSize
	ptrs := liveHeadAt(dsCnt, rraCnt) + liveHead + dsCnt*pdpPrepSize + dsCnt*rraCnt*cdpPrepSize
	headerEnd := ptrs + rraCnt*rraPtrSize
	if headerEnd > uint64(size) {
		return bad("%d bytes, its header alone needs %d (truncated?)", size, headerEnd)
	}
	defs := make([]byte, rraCnt*rraDefSize)
	cur := make([]byte, rraCnt*rraPtrSize)
	if err := readAt(f, defs, rraDefs); err != nil {
		return bad("reading the archive definitions: %v", err)
	}
	if err := readAt(f, cur, ptrs); err != nil {
		return bad("reading the archive pointers: %v", err)
	}
	total := headerEnd
	for i := uint64(0); i < rraCnt; i++ {
		d := defs[i*rraDefSize:]
		rows, pdps := ne.Uint64(d[24:32]), ne.Uint64(d[32:40])
		if rows == 0 || rows > maxRows {
			return bad("archive %d has %d rows", i, rows)
		}
		if pdps == 0 || pdps > maxSpan/step {
			return bad("archive %d consolidates %d steps of %d s", i, pdps, step)
		}
		if row := ne.Uint64(cur[i*rraPtrSize:]); row >= rows {
			return bad("archive %d's current row %d is past its %d rows", i, row, rows)
		}
		total += rows * dsCnt * 8 // no overflow: rows, dsCnt and rraCnt are bounded
	}
	if total > uint64(size) {
		return bad("%d bytes, its archives need %d (truncated?)", size, total)
	}
	return nil
}

// cString returns the NUL-terminated string at the start of b, and
// whether a NUL ends it within b.
func cString(b []byte) (string, bool) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return string(b), false
	}
	return string(b[:i]), true
}

// validDSName reports whether name is a data source name rrdtool create
// accepts: 1 to 19 of [A-Za-z0-9_-].
func validDSName(name string) bool {
	if len(name) == 0 || len(name) > 19 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// counts returns stat_head's numbers of data sources and archives, and
// whether both are within bounds.
func counts(head []byte) (dsCnt, rraCnt uint64, ok bool) {
	dsCnt, rraCnt = ne.Uint64(head[24:32]), ne.Uint64(head[32:40])
	return dsCnt, rraCnt, dsCnt > 0 && dsCnt <= maxCount && rraCnt > 0 && rraCnt <= maxCount
}

// liveHeadAt is the offset of live_head_t, whose first field is the last
// update's time: after stat_head, the ds_defs and the rra_defs.
func liveHeadAt(dsCnt, rraCnt uint64) uint64 {
	return statHeadSize + dsCnt*dsDefSize + rraCnt*rraDefSize
}

func readAt(f *os.File, b []byte, off uint64) error {
	_, err := f.ReadAt(b, int64(off))
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// ne is the byte order librrd wrote in: the machine's own.
var ne = binary.NativeEndian

const (
	floatCookie  = 8.642135e130 // librrd's FLOAT_COOKIE
	statHeadSize = 128          // stat_head_t
	dsDefSize    = 120          // ds_def_t
	rraDefSize   = 120          // rra_def_t
	pdpPrepSize  = 112          // pdp_prep_t
	cdpPrepSize  = 80           // cdp_prep_t
	rraPtrSize   = 8            // rra_ptr_t

	// Bounds far above anything rrdtool create makes (collectd's files
	// hold a few data sources and archives of a few thousand rows),
	// far below what makes librrd's arithmetic overflow.
	maxCount = 1 << 12
	maxRows  = 1 << 28
	maxSpan  = 1 << 32 // seconds per row: over a century
)

// LastUpdate returns the time of an RRD file's last update, read from its
// header in Go, without librrd. librrd takes an fcntl read lock to read
// even this, and collectd's rrdtool plugin asks for its write lock without
// waiting: an update that meets any reader fails ("could not lock RRD")
// and its values are lost. The viewer asks this over and over right after
// a FLUSH, exactly when collectd writes those files, so it must never lock,
// even when the rrd package is told to keep librrd's lock
// (RTMON_RRD_READ_LOCK=1, see viewer/rrd/readlock/readlock.c); it is also cheaper.
// A read that races a write may see the old time; callers poll.
func LastUpdate(path string) (time.Time, error) {
	if strconv.IntSize != 64 {
		return time.Time{}, fmt.Errorf("datadir: %s: the header layout read here is 64-bit Linux's", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, fmt.Errorf("datadir: %w", err)
	}
	defer f.Close()
	head := make([]byte, statHeadSize)
	if err := readAt(f, head, 0); err != nil || string(head[0:4]) != "RRD\x00" {
		return time.Time{}, fmt.Errorf("datadir: %s: not an RRD header", path)
	}
	dsCnt, rraCnt, ok := counts(head)
	if !ok {
		return time.Time{}, fmt.Errorf("datadir: %s: %d data sources and %d archives", path, dsCnt, rraCnt)
	}
	last := make([]byte, 8) // live_head_t.last_up (or a version 1-2 file's last_up), a time_t
	if err := readAt(f, last, liveHeadAt(dsCnt, rraCnt)); err != nil {
		return time.Time{}, fmt.Errorf("datadir: %s: reading the last update: %w", path, err)
	}
	return time.Unix(int64(ne.Uint64(last)), 0), nil
}
