package reader

import "fmt"

// The erase log in the fast tier. rtmon-events.rc makes rTorrent append
// "<hash> <d.up.total> <d.down.total>;" to ErasedLogMethod whenever an
// item is erased (volume.go). The fast tier reads the log and sets it to
// "" in the same system.multicall, which rTorrent runs under its lock, so
// no erase is lost between the two and none is read twice; read() hands
// it to noteErased before the read's scan, which would otherwise drop the
// erased item and its cached group with the bytes it moved since the scan
// that last read it.

// erasedLogSensor reads the log; its value goes through setErasedLog.
var erasedLogSensor = fastSensor{
	sensor:  "volumes.erased_log",
	command: ErasedLogMethod,
	args:    []any{""},
	set:     func(*Snapshot, int64) {},
}

// erasedClearSensor empties the log right after erasedLogSensor read it.
var erasedClearSensor = fastSensor{
	sensor:  "volumes.erased_log_clear",
	command: ErasedLogMethod + ".set",
	args:    []any{"", ""},
	set:     func(*Snapshot, int64) {},
}

// hasErasedLog says whether this rTorrent keeps the erase log: both the
// variable and its setter are defined (rtmon-events.rc imported).
func hasErasedLog(methods map[string]bool) bool {
	return methods[ErasedLogMethod] && methods[ErasedLogMethod+".set"]
}

func setErasedLog(s *Snapshot, v any) error {
	log, ok := asString(v)
	if !ok {
		return fmt.Errorf("returned %s, want a string", describeValue(v))
	}
	s.erasedLog = log
	return nil
}

// clearedErasedLog takes the setter's reply, whatever rTorrent returns
// for a set (0 or ""): only a fault matters, and fast.go reports it.
func clearedErasedLog(*Snapshot, any) error { return nil }
