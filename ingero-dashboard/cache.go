package dashboard

import (
	"sync"
	"time"
)

// cache shares one computation of an answer among every page polling
// it: twenty open tabs asking for the same window each 2 s cost one
// query per ttl, not twenty. A request that finds a computation running
// waits for it instead of starting another.
type cache[T any] struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]*cached[T]
}

type cached[T any] struct {
	done chan struct{}
	at   time.Time
	val  T
}

// maxCached bounds the entries kept; expired ones are dropped past it.
const maxCached = 256

func newCache[T any](ttl time.Duration, now func() time.Time) *cache[T] {
	return &cache[T]{ttl: ttl, now: now, m: map[string]*cached[T]{}}
}

// get returns the answer for key, computing it when there is none
// younger than ttl.
func (c *cache[T]) get(key string, compute func() T) T {
	c.mu.Lock()
	e := c.m[key]
	if e != nil {
		select {
		case <-e.done:
			if c.now().Sub(e.at) >= c.ttl {
				e = nil
			}
		default: // running: wait for it below
		}
	}
	if e == nil {
		c.evict()
		e = &cached[T]{done: make(chan struct{})}
		c.m[key] = e
		c.mu.Unlock()
		defer func() {
			if p := recover(); p != nil {
				// Waiters get the zero value and the next caller computes
				// afresh, rather than everyone hanging on this key.
				c.mu.Lock()
				delete(c.m, key)
				c.mu.Unlock()
				close(e.done)
				panic(p)
			}
		}()
		e.val = compute()
		e.at = c.now()
		close(e.done)
		return e.val
	}
	c.mu.Unlock()
	<-e.done
	return e.val
}

// evict drops finished, expired entries once the map is large; the
// caller holds mu.
func (c *cache[T]) evict() {
	if len(c.m) < maxCached {
		return
	}
	now := c.now()
	for k, e := range c.m {
		select {
		case <-e.done:
			if now.Sub(e.at) >= c.ttl {
				delete(c.m, k)
			}
		default:
		}
	}
}
