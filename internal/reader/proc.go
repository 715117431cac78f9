package reader

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times; it is 100 on
// every Linux architecture Debian ships.
const clockTicks = 100

// procSample is what one look at /proc/<pid> yields.
type procSample struct {
	pid        int64
	at         time.Time
	utime      float64 // seconds
	stime      float64
	startEpoch int64
	threads    int64
	vsize      int64 // bytes
	rssPages   int64
	majflt     int64
	readBytes  *int64
	writeBytes *int64
}

// readProc reads /proc/<pid>/stat and checks that the process is rTorrent:
// a pid from another PID namespace (rTorrent in a container) must not be
// mistaken for some local process.
func readProc(root string, pid int64) (*procSample, error) {
	dir := filepath.Join(root, strconv.FormatInt(pid, 10))
	comm, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil {
		return nil, err
	}
	if name := strings.TrimSpace(string(comm)); !strings.HasPrefix(name, "rtorrent") {
		return nil, fmt.Errorf("process %d is %q, not rtorrent (another PID namespace?)", pid, name)
	}
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return nil, err
	}
	// The command name is in parentheses and may hold spaces: fields
	// start after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, fmt.Errorf("%s/stat: malformed", dir)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 22 {
		return nil, fmt.Errorf("%s/stat: %d fields", dir, len(f)+2)
	}
	n := func(field int) int64 { v, _ := strconv.ParseInt(f[field-3], 10, 64); return v }
	boot, err := bootTime(root)
	if err != nil {
		return nil, err
	}
	s := &procSample{
		pid:        pid,
		at:         time.Now(),
		majflt:     n(12),
		utime:      float64(n(14)) / clockTicks,
		stime:      float64(n(15)) / clockTicks,
		threads:    n(20),
		startEpoch: boot + n(22)/clockTicks,
		vsize:      n(23),
		rssPages:   n(24),
	}
	if io, err := os.ReadFile(filepath.Join(dir, "io")); err == nil {
		for _, line := range strings.Split(string(io), "\n") {
			k, v, _ := strings.Cut(line, ":")
			x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				continue
			}
			switch k {
			case "read_bytes":
				s.readBytes = ptr(x)
			case "write_bytes":
				s.writeBytes = ptr(x)
			}
		}
	}
	return s, nil
}

func bootTime(root string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(root, "stat"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s/stat: no btime", root)
}

func memTotal(root string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(root, "meminfo"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("%s/meminfo: no MemTotal", root)
}

// process turns a sample (and the one before it, for %cpu) into Process.
func (s *procSample) process(prev *procSample, memTotal int64) *Process {
	page := int64(os.Getpagesize())
	p := &Process{
		CPUUser: s.utime, CPUSystem: s.stime, CPUTime: s.utime + s.stime,
		SZ: s.vsize / page, RSS: s.rssPages * page, VSZ: s.vsize,
		Threads: s.threads, Started: s.startEpoch, Majflt: s.majflt,
		ReadBytes: s.readBytes, WriteBytes: s.writeBytes,
	}
	if memTotal > 0 {
		p.PMem = 100 * float64(p.RSS) / float64(memTotal)
	}
	if prev != nil && prev.pid == s.pid {
		if wall := s.at.Sub(prev.at).Seconds(); wall > 0 {
			cpu := (s.utime + s.stime) - (prev.utime + prev.stime)
			if cpu >= 0 {
				p.PCPU = ptr(100 * cpu / wall)
			}
		}
	}
	return p
}
