package datadir

import (
	"context"
	"path/filepath"
	"strings"
)

// FlushFunc asks whoever caches writes to a file (rrdcached) to write
// them; file is the name the writer uses: Store.Dir joined with the
// file's path below DataDir.
type FlushFunc func(ctx context.Context, file string) error

// flusher is shared by every File of the indexes one Store builds.
type flusher struct {
	dir string // Store.Dir as given (-datadir): the writer's name for DataDir
	fn  FlushFunc
}

// SetFlush makes every File.Open of this store's indexes call fn first
// (rtmon-viewer -rrdcached). A failed flush does not fail the open: the
// file is read as it is on disk, and fn reports the failure its own way.
// Call it before the store's first Get.
func (s *Store) SetFlush(fn FlushFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush = &flusher{dir: s.Dir, fn: fn}
}

func (ix *Index) setFlush(fl *flusher) {
	for _, h := range ix.Hosts {
		for _, p := range h.Plugins {
			for _, f := range p.Files {
				f.flush = fl
			}
		}
	}
}

// flushBeforeOpen calls the store's flush for f, if any.
func (f *File) flushBeforeOpen() {
	fl := f.flush
	if fl == nil {
		return
	}
	rel := strings.TrimPrefix(f.path, f.root+string(filepath.Separator))
	_ = fl.fn(context.Background(), filepath.Join(fl.dir, rel))
}
