package ring

import (
	"errors"
	"testing"
)

func TestCheckSize(t *testing.T) {
	for n, ok := range map[int]bool{4096: true, 1 << 25: true, 0: false, 2048: false, 4095: false, 12288: false, -4096: false} {
		err := CheckSize(n)
		if (err == nil) != ok || err != nil && !errors.Is(err, ErrSize) {
			t.Errorf("CheckSize(%d) = %v", n, err)
		}
	}
}

func TestClockMapsReferenceInstant(t *testing.T) {
	c := NewClock()
	if c.MonoNs <= 0 || c.WallNs <= 0 {
		t.Fatalf("clock %+v", c)
	}
	if got := c.Wall(uint64(c.MonoNs)); got != c.WallNs {
		t.Errorf("Wall(MonoNs) = %d, want WallNs %d", got, c.WallNs)
	}
	if got := c.Wall(uint64(c.MonoNs) + 1500); got != c.WallNs+1500 {
		t.Errorf("1500 ns later maps to %d", got-c.WallNs)
	}
	// A second measurement agrees within a millisecond: one offset.
	d := NewClock()
	if skew := (d.WallNs - d.MonoNs) - (c.WallNs - c.MonoNs); skew > 1e6 || skew < -1e6 {
		t.Errorf("offsets differ by %d ns", skew)
	}
}

func TestInternerSharesStrings(t *testing.T) {
	var in Interner
	a := in.Comm([16]byte{'p', 'y', 't', 'h', 'o', 'n'})
	b := in.Comm([16]byte{'p', 'y', 't', 'h', 'o', 'n'})
	if a != "python" || b != "python" || len(in.m) != 1 {
		t.Errorf("got %q %q, %d entries", a, b, len(in.m))
	}
	full := in.Comm([16]byte{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'})
	if full != "0123456789abcdef" {
		t.Errorf("unterminated name: %q", full)
	}
	if n := testing.AllocsPerRun(100, func() { in.Comm([16]byte{'p', 'y'}) }); n != 0 {
		t.Errorf("%v allocations per known name", n)
	}
}
