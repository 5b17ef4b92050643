package ring

import (
	"sync/atomic"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// TestBackgroundStopDeliversWhatIsLeft: records in the ring when Stop is
// called reach the sink before Stop returns, with a reader that would
// otherwise wait an hour for its deadline.
func TestBackgroundStopDeliversWhatIsLeft(t *testing.T) {
	p := newProducer(t, 1<<20, flagNoWakeup)
	r, err := NewReader(p.ring, decodeSeq, Options{BatchSize: 64, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	bg := NewBackground(r)
	var n atomic.Int64
	bg.Start(func(b []event.Event) { n.Add(int64(len(b))) })
	p.emit(t, 3000)
	start := time.Now()
	if err := bg.Stop(); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3000 || bg.Err() != nil {
		t.Errorf("%d of 3000 delivered, err %v", n.Load(), bg.Err())
	}
	if d := time.Since(start); d >= drainWait {
		t.Errorf("Stop took %v: it waited out the drain limit", d)
	}
}

// A family closed without Start must not hang.
func TestBackgroundStopWithoutStart(t *testing.T) {
	p := newProducer(t, 1<<16, flagNoWakeup)
	r, err := NewReader(p.ring, decodeSeq, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bg := NewBackground(r)
	if err := bg.Stop(); err != nil {
		t.Fatal(err)
	}
	if bg.Err() != nil {
		t.Errorf("err %v without a run", bg.Err())
	}
}
