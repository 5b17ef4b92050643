package dashboard

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCacheSharesOneComputation: callers that arrive while an answer is
// computed wait for it; after the TTL the next caller computes again.
func TestCacheSharesOneComputation(t *testing.T) {
	now := time.Unix(0, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newCache[int](time.Second, clock)
	var computed atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 20)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = c.get("k", func() int { computed.Add(1); <-release; return 42 })
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for _, v := range got {
		if v != 42 {
			t.Fatalf("got %v", got)
		}
	}
	if n := computed.Load(); n != 1 {
		t.Errorf("computed %d times for 20 concurrent callers, want 1", n)
	}
	c.get("k", func() int { computed.Add(1); return 43 })
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if v := c.get("k", func() int { computed.Add(1); return 44 }); v != 44 || computed.Load() != 2 {
		t.Errorf("after the TTL: %d after %d computations, want a fresh 44", v, computed.Load())
	}
}

func TestCachePanicReleasesWaiters(t *testing.T) {
	c := newCache[int](time.Second, time.Now)
	func() {
		defer func() { recover() }()
		c.get("k", func() int { panic("boom") })
	}()
	if v := c.get("k", func() int { return 7 }); v != 7 {
		t.Errorf("after a panic: %d, want a fresh computation", v)
	}
}
