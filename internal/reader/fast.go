package reader

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// fastSensor is one value of the fast tier: a command, its arguments and
// where its value goes in the snapshot.
type fastSensor struct {
	sensor  string // name shown when the command is missing
	command string
	args    []any
	set     func(s *Snapshot, v int64)
}

// anySetters take the value of the fast-tier sensors so named instead of
// their set: values that are not an integer (the movers' hash list,
// moving.go). Each returns an error saying what was wrong with the value.
var anySetters = map[string]func(s *Snapshot, v any) error{
	moversSensor.sensor:      setMovers,
	erasedLogSensor.sensor:   setErasedLog,
	erasedClearSensor.sensor: clearedErasedLog,
}

// globalSensors are rTorrent's global gauges and counters, read every
// interval. A command this build lacks switches off that sensor only.
var globalSensors = []fastSensor{
	{"pid", "system.pid", nil, func(s *Snapshot, v int64) { s.PID = v }},
	{"up_rate", "throttle.global_up.rate", nil, func(s *Snapshot, v int64) { s.Traffic.UpRate = v }},
	{"down_rate", "throttle.global_down.rate", nil, func(s *Snapshot, v int64) { s.Traffic.DownRate = v }},
	{"up_total", "throttle.global_up.total", nil, func(s *Snapshot, v int64) { s.Traffic.UpTotal = v }},
	{"down_total", "throttle.global_down.total", nil, func(s *Snapshot, v int64) { s.Traffic.DownTotal = v }},
	{"up_limit", "throttle.global_up.max_rate", nil, func(s *Snapshot, v int64) { s.Traffic.UpLimit = v }},
	{"down_limit", "throttle.global_down.max_rate", nil, func(s *Snapshot, v int64) { s.Traffic.DownLimit = v }},
	{"open_sockets", "network.open_sockets", nil, func(s *Snapshot, v int64) { s.Resources.OpenSockets = ptr(v) }},
	{"max_open_sockets", "network.max_open_sockets", nil, func(s *Snapshot, v int64) { s.Resources.MaxOpenSockets = ptr(v) }},
	{"http_open", "network.http.current_open", nil, func(s *Snapshot, v int64) { s.Resources.HTTPOpen = ptr(v) }},
	{"max_open_http", "network.http.max_open", nil, func(s *Snapshot, v int64) { s.Resources.MaxOpenHTTP = ptr(v) }},
	{"open_files", "network.open_files", nil, func(s *Snapshot, v int64) { s.Resources.OpenFiles = ptr(v) }},
	{"max_open_files", "network.max_open_files", nil, func(s *Snapshot, v int64) { s.Resources.MaxOpenFiles = ptr(v) }},
	{"files_opened", "system.files.opened_counter", nil, func(s *Snapshot, v int64) { s.Resources.FilesOpened = ptr(v) }},
	{"files_closed", "system.files.closed_counter", nil, func(s *Snapshot, v int64) { s.Resources.FilesClosed = ptr(v) }},
	{"piece_memory", "pieces.memory.current", nil, func(s *Snapshot, v int64) { s.Resources.PieceMemory = ptr(v) }},
	{"piece_memory_max", "pieces.memory.max", nil, func(s *Snapshot, v int64) { s.Resources.PieceMemoryMax = ptr(v) }},
	// Defined only where the user's rc sets it (pyrocore's and
	// rTorrent-PS's configs do): method.insert = system.startup_time, ...
	{"uptime", "system.startup_time", nil, func(s *Snapshot, v int64) {
		if v > 0 {
			up := float64(s.Time.Unix() - v)
			s.Uptime, s.UptimeSource = &up, "system.startup_time"
		}
	}},
}

// viewSensors map rTorrent's built-in views to item counts.
var viewSensors = []struct {
	view string
	set  func(i *Items, v int64)
}{
	{"main", func(i *Items, v int64) { i.Total = v }},
	{"started", func(i *Items, v int64) { i.Started = v }},
	{"stopped", func(i *Items, v int64) { i.Stopped = v }},
	{"complete", func(i *Items, v int64) { i.Complete = v }},
	{"incomplete", func(i *Items, v int64) { i.Incomplete = v }},
	{"seeding", func(i *Items, v int64) { i.Seeding = v }},
	{"leeching", func(i *Items, v int64) { i.Leeching = v }},
	{"hashing", func(i *Items, v int64) { i.Hashing = v }},
	{"active", func(i *Items, v int64) { i.Resumed = v }},
}

// plan is the fast tier's multicall, built once per connection from the
// commands and views this rTorrent has.
type plan struct {
	sensors []fastSensor
	calls   []rtorrent.Method
	off     []DisabledInfo
	// delta: this rTorrent can run the delta scan (delta.go), and the fast
	// tier reads the view sizes that tell when it would miss a change.
	delta   bool
	hashing bool // the fast tier reads view.size hashing
	exact   bool // rtmon-events.rc's counters are read (exact.go)
	movers  bool // the items moving now are read (moving.go)

	prepared *rtorrent.Prepared // calls, encoded once; nil when calls change
}

func newPlan(methods map[string]bool, views map[string]bool) *plan {
	p := &plan{}
	for _, g := range globalSensors {
		if !methods[g.command] {
			// system.startup_time and network.open_files are optional by
			// nature; say they are off without calling it a fault.
			p.off = append(p.off, DisabledInfo{Sensor: g.sensor, Command: g.command})
			continue
		}
		p.add(g)
	}
	if methods["view.size"] {
		for _, v := range viewSensors {
			if !views[v.view] {
				p.off = append(p.off, DisabledInfo{Sensor: "items." + v.view, Command: "view.size " + v.view})
				continue
			}
			set := v.set
			p.add(fastSensor{"items." + v.view, "view.size", []any{"", v.view}, func(s *Snapshot, n int64) { set(&s.Items, n) }})
		}
	} else {
		p.off = append(p.off, DisabledInfo{Sensor: "items", Command: "view.size"})
	}
	p.delta = methods["view.size"] && views["main"] && views["started"] && methods["d.multicall.filtered"]
	p.hashing = methods["view.size"] && views["hashing"]
	if p.exact = hasExactEvents(methods); p.exact {
		for _, f := range exactSensors() {
			p.add(f)
		}
	}
	if p.movers = methods["d.multicall.filtered"] && views["started"]; p.movers {
		p.add(moversSensor)
	}
	if hasErasedLog(methods) { // read, then emptied: in this order (erasedlog.go)
		p.add(erasedLogSensor)
		p.add(erasedClearSensor)
	}
	return p
}

// argsText shows a sub-call's arguments in messages: view.size "" main.
func argsText(args []any) string {
	var b strings.Builder
	for _, a := range args {
		fmt.Fprintf(&b, " %q", fmt.Sprint(a))
	}
	return b.String()
}

func (p *plan) add(f fastSensor) {
	p.sensors = append(p.sensors, f)
	p.calls = append(p.calls, rtorrent.Method{Name: f.command, Args: f.args})
}

// readFast runs the fast tier: one round trip whatever the number of items.
// A sub-call that faults with "method not defined" is dropped from the plan
// for the rest of this connection.
func (r *Reader) readFast(ctx context.Context, s *Snapshot) error {
	if r.plan.prepared == nil {
		p, err := rtorrent.PrepareMulticall(r.plan.calls)
		if err != nil {
			return fmt.Errorf("rtorrent %q: %w", r.client.Name(), err)
		}
		r.plan.prepared = p
	}
	results, err := r.client.MulticallPrepared(ctx, r.plan.prepared)
	if err != nil {
		return err
	}
	if r.plan.exact {
		s.exactRaw = make([]int64, len(exactKeys))
		for i := range s.exactRaw {
			s.exactRaw[i] = -1
		}
	}
	keep := r.plan.sensors[:0:0]
	var keepCalls []rtorrent.Method
	dropped := false
	for i, res := range results {
		f := r.plan.sensors[i]
		if res.Err != nil {
			if rtorrent.IsMethodMissing(res.Err) {
				r.plan.off = append(r.plan.off, DisabledInfo{Sensor: f.sensor, Command: f.command})
				dropped = true
				continue
			}
			r.noteSubError(res.Err)
			s.Unread = append(s.Unread, f.sensor)
		} else if setAny := anySetters[f.sensor]; setAny != nil {
			if err := setAny(s, res.Value); err != nil {
				r.noteSubError(fmt.Errorf("rtorrent %q: %s%s: %w (sensor %s not read)", r.client.Name(), f.command, argsText(f.args), err, f.sensor))
				s.Unread = append(s.Unread, f.sensor)
			}
		} else if v, ok := asInt(res.Value); ok {
			f.set(s, v)
		} else {
			r.noteSubError(fmt.Errorf("rtorrent %q: %s%s returned %s, want an integer (sensor %s not read)",
				r.client.Name(), f.command, argsText(f.args), describeValue(res.Value), f.sensor))
			s.Unread = append(s.Unread, f.sensor)
		}
		keep = append(keep, f)
		keepCalls = append(keepCalls, r.plan.calls[i])
	}
	if dropped {
		r.plan.sensors, r.plan.calls, r.plan.prepared = keep, keepCalls, nil
	}
	if s.Resources.OpenFiles == nil && s.Resources.FilesOpened != nil && s.Resources.FilesClosed != nil {
		s.Resources.OpenFiles = ptr(*s.Resources.FilesOpened - *s.Resources.FilesClosed)
	}
	return nil
}
