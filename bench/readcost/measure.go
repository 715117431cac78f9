package main

import (
	"fmt"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// cost is what some number of operations cost, both ends of the wire.
type cost struct {
	Ops              int     // operations measured (reads, scrapes)
	Calls            float64 // round trips
	Sent, Recv       float64 // request and reply bytes (XML bodies)
	RTStat, RTSched  float64 // rTorrent CPU, ms: /proc stat ticks, schedstat; idle share subtracted
	RTCall           float64 // ms waiting on rTorrent (client-side round-trip time)
	Wall             float64 // ms
	OurCPU           float64 // ms, getrusage of this process
	Allocs, AllocKiB float64
	Note             string // how the figure was obtained when not plainly measured
}

// per divides by the number of operations.
func (c cost) per() cost {
	if c.Ops <= 1 {
		return c
	}
	n := float64(c.Ops)
	return cost{Ops: 1, Calls: c.Calls / n, Sent: c.Sent / n, Recv: c.Recv / n, RTStat: c.RTStat / n,
		RTSched: c.RTSched / n, RTCall: c.RTCall / n, Wall: c.Wall / n, OurCPU: c.OurCPU / n,
		Allocs: c.Allocs / n, AllocKiB: c.AllocKiB / n, Note: c.Note}
}

// scale multiplies every figure by k (per minute from per operation).
func (c cost) scale(k float64) cost {
	return cost{Ops: c.Ops, Calls: c.Calls * k, Sent: c.Sent * k, Recv: c.Recv * k, RTStat: c.RTStat * k,
		RTSched: c.RTSched * k, RTCall: c.RTCall * k, Wall: c.Wall * k, OurCPU: c.OurCPU * k,
		Allocs: c.Allocs * k, AllocKiB: c.AllocKiB * k, Note: c.Note}
}

func (c cost) plus(d cost) cost {
	return cost{Ops: 1, Calls: c.Calls + d.Calls, Sent: c.Sent + d.Sent, Recv: c.Recv + d.Recv, RTStat: c.RTStat + d.RTStat,
		RTSched: c.RTSched + d.RTSched, RTCall: c.RTCall + d.RTCall, Wall: c.Wall + d.Wall, OurCPU: c.OurCPU + d.OurCPU,
		Allocs: c.Allocs + d.Allocs, AllocKiB: c.AllocKiB + d.AllocKiB}
}

func (c cost) minus(d cost) cost { return c.plus(d.scale(-1)) }

// meter measures operations against one rTorrent process.
type meter struct {
	pid  int
	idle struct{ stat, sched float64 } // rTorrent's own CPU share when nobody asks it anything
}

// measureIdle samples rTorrent's CPU share with no RPC running, to be
// subtracted from every measurement: a rTorrent holding items does its own
// work (timers, tracker retries of started items) whoever is asking.
func (m *meter) measureIdle(d time.Duration) error {
	a, err := readProcCPU(m.pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(d)
	b, err := readProcCPU(m.pid)
	if err != nil {
		return err
	}
	w := time.Since(t0).Seconds()
	m.idle.stat = (b.stat - a.stat).Seconds() / w
	m.idle.sched = (b.sched - a.sched).Seconds() / w
	return nil
}

// measure runs op n times and returns the total cost. clients are the
// rTorrent clients op uses, for their traffic counters.
func (m *meter) measure(n int, clients []*rtorrent.Client, op func() error) (cost, error) {
	var before []rtorrent.Stats
	for _, c := range clients {
		before = append(before, c.Stats())
	}
	a0, b0 := allocs()
	cpu0 := selfCPU()
	p0, err := readProcCPU(m.pid)
	if err != nil {
		return cost{}, err
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if err := op(); err != nil {
			return cost{}, fmt.Errorf("operation %d of %d: %w", i+1, n, err)
		}
	}
	wall := time.Since(t0)
	p1, err := readProcCPU(m.pid)
	if err != nil {
		return cost{}, err
	}
	cpu1 := selfCPU()
	a1, b1 := allocs()
	c := cost{Ops: n, Wall: ms(wall), OurCPU: ms(cpu1 - cpu0), Allocs: float64(a1 - a0), AllocKiB: float64(b1-b0) / 1024}
	c.RTStat = ms(p1.stat-p0.stat) - m.idle.stat*ms(wall)
	c.RTSched = ms(p1.sched-p0.sched) - m.idle.sched*ms(wall)
	for i, cl := range clients {
		s := cl.Stats()
		c.Calls += float64(s.Calls - before[i].Calls)
		c.Sent += float64(s.BytesSent - before[i].BytesSent)
		c.Recv += float64(s.BytesRecv - before[i].BytesRecv)
		c.RTCall += ms(s.CallTime - before[i].CallTime)
	}
	return c, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
