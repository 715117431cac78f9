package graphs

import (
	"context"

	"github.com/rtmon/rtmon/viewer/datadir"
)

// Flush gets collectd's cached values of files onto disk first when
// collectd holds newer ones (see flush); other readers of the files
// (viewer/traffic's sums) call it as renders do.
func (r *Renderer) Flush(ctx context.Context, files []*datadir.File) { r.flush(ctx, files) }

// Acquire takes a render slot for work that runs librrd outside Render
// and Series (viewer/traffic's exports): the same queue and cap, so a
// traffic page cannot crowd out the graphs or run librrd without bound.
// ErrBusy when the queue is full; release gives the slot back.
func (r *Renderer) Acquire(ctx context.Context, what string) (release func(), err error) {
	return r.acquire(ctx, what)
}
