package graphs

import (
	"container/list"
	"sync"
)

// cache is an LRU of rendered images bounded by their total size.
type cache struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List
	items map[cacheKey]*list.Element
}

type cacheEntry struct {
	key cacheKey
	img *Image
}

func newCache(maxBytes int) *cache {
	return &cache{max: maxBytes, ll: list.New(), items: map[cacheKey]*list.Element{}}
}

func (c *cache) get(k cacheKey) *Image {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).img
	}
	return nil
}

func (c *cache) put(k cacheKey, img *Image) {
	n := len(img.Data)
	if n > c.max/4 {
		return // one image must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{k, img})
	c.size += n
	for c.size > c.max {
		e := c.ll.Back()
		ent := e.Value.(*cacheEntry)
		c.ll.Remove(e)
		delete(c.items, ent.key)
		c.size -= len(ent.img.Data)
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
