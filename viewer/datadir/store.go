package datadir

import (
	"context"
	"sync"
	"time"
)

// Store keeps an Index of one DataDir fresh: it is rebuilt on demand once
// older than MaxAge, by one caller at a time while the others keep using
// the previous index. A new host or plugin shows up within MaxAge, and a
// DataDir of many hosts is walked at most once per MaxAge, whatever the
// request rate.
type Store struct {
	Dir    string
	MaxAge time.Duration

	mu       sync.Mutex
	root     string // Dir with symlinks resolved, once: see build
	cur      *Index
	fresh    time.Time     // when cur was built, or zero after Refresh
	building chan struct{} // closed when the build in progress ends
	lastErr  error
	flush    *flusher // SetFlush; nil: files are read as they are
}

// NewStore returns a Store for dir.
func NewStore(dir string, maxAge time.Duration) *Store {
	return &Store{Dir: dir, MaxAge: maxAge}
}

// Get returns a current index. Only the first call, when there is no index
// yet, waits for a walk; later ones get the previous index while a rebuild
// runs.
func (s *Store) Get(ctx context.Context) (*Index, error) {
	s.mu.Lock()
	if s.cur != nil && time.Since(s.fresh) < s.MaxAge {
		ix := s.cur
		s.mu.Unlock()
		return ix, nil
	}
	wait := s.rebuildLocked()
	ix := s.cur
	s.mu.Unlock()
	if ix != nil {
		return ix, nil
	}
	return s.await(ctx, wait)
}

// build walks DataDir. Dir may be a symlink (DataDir on a bigger disk);
// it is resolved by the first walk that finds it and kept, so that
// repointing the symlink later does not move the viewer to another
// directory without a restart.
func (s *Store) build(done chan struct{}) {
	s.mu.Lock()
	dir := s.root
	s.mu.Unlock()
	if dir == "" {
		dir = s.Dir
	}
	ix, err := Build(dir)
	s.mu.Lock()
	if err == nil && s.root == "" {
		s.root = ix.Root
	}
	if err == nil {
		if s.flush != nil {
			ix.setFlush(s.flush)
		}
		s.cur, s.fresh = ix, ix.Built
	}
	s.lastErr = err
	s.building = nil
	s.mu.Unlock()
	close(done)
}

// GetFresh is Get for an index built at most maxAge ago, waiting for a
// walk if need be. Handlers use it after a name was not found, so that a
// host or file collectd created a moment ago is not a 404 until the next
// scheduled rebuild.
func (s *Store) GetFresh(ctx context.Context, maxAge time.Duration) (*Index, error) {
	s.mu.Lock()
	if s.cur != nil && time.Since(s.fresh) < maxAge {
		ix := s.cur
		s.mu.Unlock()
		return ix, nil
	}
	wait := s.rebuildLocked()
	s.mu.Unlock()
	return s.await(ctx, wait)
}

// Refresh drops the current index so the next Get walks DataDir again.
func (s *Store) Refresh() {
	s.mu.Lock()
	s.fresh = time.Time{}
	s.mu.Unlock()
}

// rebuildLocked starts a walk unless one is running and returns the channel
// that closes when it ends. s.mu must be held.
func (s *Store) rebuildLocked() chan struct{} {
	if s.building == nil {
		s.building = make(chan struct{})
		go s.build(s.building)
	}
	return s.building
}

// await waits for the walk behind wait and returns the index it left, or
// the error of the last walk when there is still none.
func (s *Store) await(ctx context.Context, wait chan struct{}) (*Index, error) {
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return nil, s.lastErr
	}
	return s.cur, nil
}
