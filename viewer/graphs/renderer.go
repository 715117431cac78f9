package graphs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// Image is a rendered graph and where its data area lies, so that a click
// at image x maps to Start + (x-Left)*(End-Start)/Width.
type Image struct {
	Data                     []byte
	ContentType              string
	Left, Top, Width, Height int
	ImageWidth, ImageHeight  int
	Start, End               int64
	// Omitted is how many lines of the definition were left out
	// (MaxLines); the title and legend say so too.
	Omitted int
}

// ErrBusy is returned when more renders are running and queued than the
// cap allows; the handler answers 503 and the browser retries later.
var ErrBusy = errors.New("graphs: too many renders in progress")

// Collectd is what the renderer needs from collectd: when each value was
// last received (LISTVAL) and FLUSH. Both may fail when collectd is down;
// graphs are then drawn from the files as they are.
type Collectd interface {
	LastValueTimes(ctx context.Context) (map[unixsock.Identifier]time.Time, error)
	Flush(ctx context.Context, ids []unixsock.Identifier) error
}

// Renderer draws graphs; it is safe for concurrent use.
type Renderer struct {
	Collectd Collectd // may be nil
	Log      *slog.Logger
	// FlushWait bounds how long a render waits for flushed values to
	// reach the files.
	FlushWait time.Duration

	slots chan struct{} // renders running
	queue chan struct{} // renders running or waiting
	cache *cache

	mu       sync.Mutex
	inflight map[cacheKey]*call

	hdrMu   sync.Mutex
	headers map[string]cachedHeader

	renders atomic.Int64
	flushes atomic.Int64
}

type call struct {
	done chan struct{}
	img  *Image
	err  error
}

type cacheKey struct {
	host, graph   string
	start, end    int64
	w, h          int
	format, theme string
	lastChange    int64 // newest mtime of the graph's files, ns
}

// NewRenderer allows maxRenders renders at once and up to
// max(32, 16*maxRenders) running or waiting (a host page asks for a few
// dozen thumbnails at once; librrd draws one at a time anyway), and caches
// up to cacheBytes of images.
func NewRenderer(c Collectd, maxRenders, cacheBytes int, log *slog.Logger) *Renderer {
	if log == nil {
		log = slog.Default()
	}
	return &Renderer{
		Collectd: c, Log: log, FlushWait: 2 * time.Second,
		slots: make(chan struct{}, maxRenders), queue: make(chan struct{}, max(32, 16*maxRenders)),
		cache: newCache(cacheBytes), inflight: map[cacheKey]*call{}, headers: map[string]cachedHeader{},
	}
}

// Stats reports how many images were rendered by librrd and how many
// FLUSH commands were sent.
func (r *Renderer) Stats() (renders, flushes int64) { return r.renders.Load(), r.flushes.Load() }

// Render returns the graph as an image, from the cache when the files have
// not changed since it was drawn.
func (r *Renderer) Render(ctx context.Context, d *Def, q query.Request) (*Image, error) {
	lines, omitted, done, err := openCapped(d)
	if err != nil {
		return nil, err
	}
	defer done()
	files := filesOf(lines)
	r.flush(ctx, files)
	key := cacheKey{host: files[0].Dir.Host.Name, graph: d.ID, start: q.Start, end: q.End, w: q.Width, h: q.Height,
		format: q.Format, theme: q.Theme, lastChange: lastChange(files)}
	if img := r.cache.get(key); img != nil {
		return img, nil
	}

	r.mu.Lock()
	if c, ok := r.inflight[key]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
			return c.img, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	r.inflight[key] = c
	r.mu.Unlock()

	c.img, c.err = r.render(ctx, d, lines, omitted, q)
	if c.err == nil {
		r.cache.put(key, c.img)
	}
	r.mu.Lock()
	delete(r.inflight, key)
	r.mu.Unlock()
	close(c.done)
	return c.img, c.err
}

func (r *Renderer) render(ctx context.Context, d *Def, lines []Line, omitted int, q query.Request) (*Image, error) {
	release, err := r.acquire(ctx, "render")
	if err != nil {
		return nil, err
	}
	defer release()
	p, err := makePlan(d, lines, omitted, q, q.Width, false, r.header)
	if err != nil {
		return nil, fmt.Errorf("graphs: %s: %w", d.ID, err)
	}
	res, err := rrd.Graph(args(d, p, q))
	if err != nil {
		return nil, fmt.Errorf("graphs: %s: %w", d.ID, err)
	}
	r.renders.Add(1)
	ct := "image/png"
	if q.Format == "svg" {
		ct = "image/svg+xml"
	}
	return &Image{Data: res.Image, ContentType: ct, Left: res.Left, Top: res.Top, Width: res.Width, Height: res.Height,
		ImageWidth: res.ImageWidth, ImageHeight: res.ImageHeight, Start: res.Start, End: res.End, Omitted: p.omitted}, nil
}

// header returns a file's header and its last update. The header is
// cached while the file keeps its inode and size (its data sources and
// archives change only when it is made anew); the last update moves and
// is read each time without librrd's lock (datadir.LastUpdate).
func (r *Renderer) header(f *datadir.File) (*rrd.Header, int64, error) {
	fi, err := os.Stat(f.Path())
	if err != nil {
		return nil, 0, fmt.Errorf("graphs: %w", err)
	}
	id := fileID{size: fi.Size()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	r.hdrMu.Lock()
	c, ok := r.headers[f.Indexed().Path()] // f.Path() may be a reused /proc/self/fd/N
	r.hdrMu.Unlock()
	if !ok || c.id != id {
		h, err := rrd.ReadHeader(f.Path())
		if err != nil {
			return nil, 0, fmt.Errorf("graphs: %w", err)
		}
		c = cachedHeader{h, id}
		r.hdrMu.Lock()
		r.headers[f.Indexed().Path()] = c
		r.hdrMu.Unlock()
	}
	last := c.h.LastUpdate
	if t, err := datadir.LastUpdate(f.Path()); err == nil {
		last = t.Unix()
	}
	return c.h, last, nil
}

// fileID tells a file made anew from the one whose header was cached.
type fileID struct {
	dev, ino uint64
	size     int64
}

type cachedHeader struct {
	h  *rrd.Header
	id fileID
}

// DSNames returns the data source names of an RRD file in file order.
func DSNames(path string) ([]string, error) {
	h, err := rrd.ReadHeader(path)
	if err != nil {
		return nil, fmt.Errorf("graphs: %w", err)
	}
	return h.DS, nil
}

func lastChange(files []*datadir.File) int64 {
	var t int64
	for _, f := range files {
		if fi, err := os.Stat(f.Path()); err == nil && fi.ModTime().UnixNano() > t {
			t = fi.ModTime().UnixNano()
		}
	}
	return t
}

// flush gets collectd's cached values of the files onto disk when
// collectd holds newer values than the files: FLUSH, then wait (bounded)
// until the files' last update catches up, because collectd answers FLUSH
// before its write queue has run. The files' times are read without
// librrd's lock (datadir.LastUpdate): polling through librrd made
// collectd's own writes of those files fail with "could not lock RRD".
func (r *Renderer) flush(ctx context.Context, files []*datadir.File) {
	if r.Collectd == nil {
		return
	}
	// collectd's part is bounded on its own: a frozen collectd (its
	// socket accepts, nothing answers) must not hold every render until
	// the request's timeout, when the files can be drawn as they are.
	cctx, cancel := context.WithTimeout(ctx, r.FlushWait)
	defer cancel()
	times, err := r.Collectd.LastValueTimes(cctx)
	if err != nil {
		r.Log.Debug("graphs: no value times from collectd; drawing the files as they are", "err", err)
		return
	}
	type pending struct {
		f    *datadir.File
		want time.Time
	}
	var todo []pending
	var ids []unixsock.Identifier
	for _, f := range files {
		id := f.Identifier()
		seen, ok := times[id]
		if !ok || id.Validate() != nil {
			continue
		}
		last, err := datadir.LastUpdate(f.Path())
		if err != nil || !seen.Truncate(time.Second).After(last) {
			continue
		}
		todo = append(todo, pending{f, seen.Truncate(time.Second)})
		ids = append(ids, id)
	}
	r.Log.Debug("graphs: flush decision", "files", len(files), "behind", len(ids))
	if len(ids) == 0 {
		return
	}
	r.flushes.Add(1)
	if err := r.Collectd.Flush(cctx, ids); err != nil {
		r.Log.Debug("graphs: FLUSH failed", "err", err)
		return
	}
	deadline := time.Now().Add(r.FlushWait)
	for _, p := range todo {
		for ctx.Err() == nil {
			last, err := datadir.LastUpdate(p.f.Path())
			if err != nil || !p.want.After(last) {
				break
			}
			if time.Now().After(deadline) {
				r.Log.Debug("graphs: flushed values not on disk in time", "file", p.f.Path(), "want", p.want.Unix(), "last", last.Unix())
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// acquire takes a place in the queue (ErrBusy at once when it is full) and
// then a render slot, waiting for the slot no longer than ctx; release
// gives both back. Renders and exports share the same limits: both run
// librrd under its one lock.
func (r *Renderer) acquire(ctx context.Context, what string) (release func(), err error) {
	select {
	case r.queue <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		<-r.queue
		return nil, fmt.Errorf("graphs: waiting to %s: %w", what, ctx.Err())
	}
	return func() { <-r.slots; <-r.queue }, nil
}
