package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/plugin/dispatch"
)

// host is one emulated seedbox: its rTorrent instances and host figures.
type host struct {
	name      string
	instances []*instance
	rng       *rand.Rand
	silent    bool
	lastSent  time.Time // stamp of the latest round sent

	// host plugin state
	cpuPhase float64
	boot     time.Time // for uptime/uptime
	diskUsed float64   // bytes
	diskSize float64
	netRx    int64 // counters (DERIVE)
	netTx    int64
	diskRd   int64
	diskWr   int64
	diskROps int64
	diskWOps int64
	swapIn   int64
	swapOut  int64
	pktRx    int64
	pktTx    int64
}

// instance is one emulated rTorrent behind the plugin.
type instance struct {
	name   string
	mapper *dispatch.Mapper
	snap   reader.Snapshot
	items  int64
	active int64
	msgs   int64
	up     int64 // bytes/s
	down   int64
	upTot  int64
	dnTot  int64
	opened int64
	closed int64
	cpuUs  float64
	majflt int64
	readB  int64
	writeB int64
	events reader.Events
	groups []string
	labels []string
	start  time.Time
	phase  float64
}

func newHost(name string, cfg Config, seed uint64) *host {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h := &host{name: name, rng: rng, cpuPhase: rng.Float64() * 2 * math.Pi,
		boot:     time.Now().Add(-time.Duration(86400+rng.IntN(30*86400)) * time.Second).Truncate(time.Second),
		diskSize: 4e12, diskUsed: 1e12 + rng.Float64()*2e12}
	for i := 0; i < cfg.Instances; i++ {
		in := &instance{name: fmt.Sprintf("rt%d", i), items: int64(cfg.Items/2 + rng.IntN(cfg.Items+1)),
			start: time.Now().Add(-time.Duration(rng.IntN(86400)) * time.Second), phase: rng.Float64() * 2 * math.Pi}
		if i == 0 {
			in.name = "main"
		}
		in.mapper = dispatch.NewMapper(in.name, dispatch.Options{PerTracker: true, PerLabel: true, PeerFlags: true})
		for g := 0; g < cfg.Trackers; g++ {
			in.groups = append(in.groups, fmt.Sprintf("tracker%d.example", g))
		}
		for g := 0; g < cfg.Labels; g++ {
			in.labels = append(in.labels, fmt.Sprintf("label%d", g))
		}
		h.instances = append(h.instances, in)
	}
	return h
}

// step moves the instance by one interval and returns its snapshot.
func (in *instance) step(rng *rand.Rand, t time.Time, interval time.Duration) *reader.Snapshot {
	sec := interval.Seconds()
	// items arrive and leave; some finish
	if rng.IntN(4) == 0 {
		in.items++
		in.events.Inserted++
		in.events.Started++
	}
	if in.items > 1 && rng.IntN(6) == 0 {
		in.items--
		in.events.Erased++
	}
	if rng.IntN(5) == 0 {
		in.events.Finished++
	}
	wave := 0.5 + 0.5*math.Sin(in.phase+float64(t.Unix())/300)
	in.active = int64(float64(in.items) * 0.1 * wave)
	in.msgs = int64(rng.IntN(3))
	in.up = int64(1e6*wave) + int64(rng.IntN(200000))
	in.down = int64(5e5*(1-wave)) + int64(rng.IntN(100000))
	in.upTot += int64(float64(in.up) * sec)
	in.dnTot += int64(float64(in.down) * sec)
	in.opened += int64(rng.IntN(10))
	in.closed = max(in.closed, in.opened-int64(rng.IntN(5))) // a counter: never falls
	in.cpuUs += sec * 1e6 * (0.05 + 0.1*wave)
	in.majflt += int64(rng.IntN(3))
	in.readB += in.up * int64(sec)
	in.writeB += in.down * int64(sec)

	complete := in.items * 8 / 10
	started := in.items * 9 / 10
	seeding := min(complete, started)
	s := &in.snap
	*s = reader.Snapshot{Instance: in.name, Time: t, PID: 4242}
	s.Items = reader.Items{Total: in.items, Started: started, Stopped: in.items - started, Complete: complete,
		Incomplete: in.items - complete, Seeding: seeding, Leeching: started - seeding, Resumed: started,
		Active: ptr(in.active), Messages: ptr(in.msgs)}
	s.Traffic = reader.Traffic{UpRate: in.up, DownRate: in.down, UpTotal: in.upTot, DownTotal: in.dnTot,
		SkipRate: ptr(int64(rng.IntN(1000)))}
	s.Resources = reader.Resources{OpenSockets: ptr(int64(50 + rng.IntN(100))), HTTPOpen: ptr(int64(rng.IntN(4))),
		OpenFiles: ptr(in.opened - in.closed), FilesOpened: ptr(in.opened), FilesClosed: ptr(in.closed),
		PieceMemory: ptr(int64(1<<28 + rng.IntN(1<<26))), PieceMemoryMax: ptr(int64(1 << 30)),
		MaxOpenSockets: ptr(int64(1024)), MaxOpenHTTP: ptr(int64(32)), MaxOpenFiles: ptr(int64(512))}
	up := t.Sub(in.start).Seconds()
	s.Uptime = &up
	pcpu := 5 + 10*wave
	s.Process = &reader.Process{CPUUser: in.cpuUs * 0.8 / 1e6, CPUSystem: in.cpuUs * 0.2 / 1e6, PCPU: &pcpu, PMem: 3.5,
		SZ: 200000, RSS: 600 << 20, VSZ: 800 << 20, Threads: 4, Majflt: in.majflt, ReadBytes: ptr(in.readB), WriteBytes: ptr(in.writeB)}
	s.Sizes = &reader.Sizes{SizeBytes: in.items * 2e9, LeftBytes: (in.items - complete) * 1e9, Files: in.items * 12, Completed: complete * 2e9}
	s.Ratios = &reader.RatioBuckets{Below05: in.items / 5, To1: in.items / 5, To2: in.items / 5, To5: in.items / 5, Above5: in.items - 4*(in.items/5)}
	s.Peers = &reader.Peers{Connected: in.active * 3, Seeds: in.active, Accounted: in.active * 2, Incoming: in.active,
		Encrypted: in.active / 2, Obfuscated: in.active / 3, Snubbed: int64(rng.IntN(2)), Preferred: 0, Unwanted: 0}
	ev := in.events
	s.Events, s.EventsSource = &ev, reader.EventsExact // as with rtmon-events.rc: every event key
	s.ClientVersion, s.LibraryVersion = "0.9.8", "0.13.8"
	s.Scan = &reader.ScanInfo{Time: t, Age: float64(rng.IntN(30)), Duration: time.Duration(20+rng.IntN(30)) * time.Millisecond,
		Items: int(in.items), ReplyBytes: in.items * 180, NewHashes: rng.IntN(2), Full: true}
	s.Trackers = groups(in.groups, in.items, in.active, in.up, in.down, in.upTot, in.dnTot)
	s.Labels = groups(in.labels, in.items, in.active, in.up, in.down, in.upTot, in.dnTot)
	return s
}

// groups splits the instance's figures over n groups, the first largest.
// upTot and dnTot, the instance's byte totals, are split into the groups'
// volumes by fixed halves (the first half, the next a quarter, ...), so
// each rises whenever the totals do and never falls, as the plugin's.
func groups(names []string, items, active, up, down, upTot, dnTot int64) []reader.GroupCounts {
	out := make([]reader.GroupCounts, len(names))
	left := items
	for i, n := range names {
		share := left / 2
		if i == len(names)-1 {
			share = left
		}
		left -= share
		out[i] = reader.GroupCounts{Name: n, Items: share, Active: active * share / max(items, 1), Complete: share * 8 / 10,
			Seeding: share * 8 / 10, Leeching: share / 10, SizeBytes: share * 2e9, LeftBytes: share * 2e8,
			UpRate: up * share / max(items, 1), DownRate: down * share / max(items, 1), Peers: share,
			UpBytes: half(upTot, i, len(names)), DownBytes: half(dnTot, i, len(names))}
	}
	return out
}

// half is group i's part of total among n: total/2, total/4, ..., and
// the rest for the last group.
func half(total int64, i, n int) int64 {
	if i == n-1 {
		return total >> i
	}
	return total >> (i + 1)
}

// valueLists is everything the host sends at t: every instance's plugin
// lists, then the host plugins'.
func (h *host) valueLists(t time.Time, interval time.Duration) []*api.ValueList {
	var out []*api.ValueList
	for _, in := range h.instances {
		for _, vl := range in.mapper.ValueLists(in.step(h.rng, t, interval), interval) {
			vl.Host = h.name
			out = append(out, vl)
		}
	}
	return append(out, h.hostLists(t, interval)...)
}

// hostLists are the value lists collectd's host plugins send with
// collectd.conf.d/host.conf (cpu percentages by state, load, uptime,
// memory and swap in bytes, df in bytes and percent, one disk, one
// interface).
func (h *host) hostLists(t time.Time, interval time.Duration) []*api.ValueList {
	sec := interval.Seconds()
	wave := 0.5 + 0.5*math.Sin(h.cpuPhase+float64(t.Unix())/240)
	user := 10 + 30*wave
	sys := 5 + 5*wave
	wait := h.rng.Float64() * 3
	idle := 100 - user - sys - wait
	h.diskUsed += float64(h.rng.IntN(1 << 24))
	h.netRx += int64((2e5 + 1e6*wave) * sec)
	h.netTx += int64((1e6 + 5e5*wave) * sec)
	h.pktRx += int64(900 * sec)
	h.pktTx += int64(1100 * sec)
	h.diskRd += int64(3e6 * wave * sec)
	h.diskWr += int64(1e6 * sec)
	h.diskROps += int64(200 * wave * sec)
	h.diskWOps += int64(60 * sec)
	if h.rng.IntN(20) == 0 {
		h.swapIn++
		h.swapOut++
	}
	free := h.diskSize - h.diskUsed
	reserved := h.diskSize * 0.05
	mk := func(plugin, pinst, typ, tinst string, vals ...api.Value) *api.ValueList {
		return &api.ValueList{Identifier: api.Identifier{Host: h.name, Plugin: plugin, PluginInstance: pinst, Type: typ, TypeInstance: tinst},
			Time: t, Interval: interval, Values: vals}
	}
	g := func(v float64) api.Value { return api.Gauge(v) }
	d := func(v int64) api.Value { return api.Derive(v) }
	memTotal := 16e9
	used := 4e9 + 4e9*wave
	return []*api.ValueList{
		mk("cpu", "", "percent", "user", g(user)), mk("cpu", "", "percent", "system", g(sys)),
		mk("cpu", "", "percent", "wait", g(wait)), mk("cpu", "", "percent", "idle", g(idle)),
		mk("cpu", "", "percent", "nice", g(0)), mk("cpu", "", "percent", "interrupt", g(0)),
		mk("cpu", "", "percent", "softirq", g(0.2)), mk("cpu", "", "percent", "steal", g(0)),
		mk("load", "", "load", "", g(2*wave), g(1.5*wave+0.2), g(1.2)),
		mk("uptime", "", "uptime", "", g(math.Floor(t.Sub(h.boot).Seconds()))),
		mk("memory", "", "memory", "used", g(used)), mk("memory", "", "memory", "buffered", g(2e8)),
		mk("memory", "", "memory", "cached", g(6e9)), mk("memory", "", "memory", "free", g(memTotal-used-6.2e9)),
		mk("memory", "", "memory", "slab_recl", g(1e8)), mk("memory", "", "memory", "slab_unrecl", g(5e7)),
		mk("swap", "", "swap", "used", g(1e8)), mk("swap", "", "swap", "free", g(1.9e9)), mk("swap", "", "swap", "cached", g(1e7)),
		mk("swap", "", "swap_io", "in", d(h.swapIn)), mk("swap", "", "swap_io", "out", d(h.swapOut)),
		mk("df", "root", "df_complex", "used", g(h.diskUsed)), mk("df", "root", "df_complex", "free", g(free-reserved)),
		mk("df", "root", "df_complex", "reserved", g(reserved)),
		mk("df", "root", "percent_bytes", "used", g(100*h.diskUsed/h.diskSize)), mk("df", "root", "percent_bytes", "free", g(100*(free-reserved)/h.diskSize)),
		mk("df", "root", "percent_bytes", "reserved", g(5)),
		mk("disk", "sda", "disk_octets", "", d(h.diskRd), d(h.diskWr)), mk("disk", "sda", "disk_ops", "", d(h.diskROps), d(h.diskWOps)),
		mk("disk", "sda", "disk_time", "", d(h.diskROps*2), d(h.diskWOps*3)), mk("disk", "sda", "disk_merged", "", d(h.diskROps/4), d(h.diskWOps/4)),
		mk("disk", "sda", "disk_io_time", "", d(h.diskROps*5), d(h.diskWOps*5)), mk("disk", "sda", "pending_operations", "", g(float64(h.rng.IntN(4)))),
		mk("interface", "eth0", "if_octets", "", d(h.netRx), d(h.netTx)), mk("interface", "eth0", "if_packets", "", d(h.pktRx), d(h.pktTx)),
		mk("interface", "eth0", "if_errors", "", d(0), d(0)), mk("interface", "eth0", "if_dropped", "", d(h.pktRx/10000), d(0)),
	}
}

func ptr[T any](v T) *T { return &v }
