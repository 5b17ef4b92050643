package batch

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// container is a batch split along its documented layout, parsed here
// independently of Decode so the test also pins the layout down.
type container struct {
	n    uint64
	strs [][]byte
	cols [][]byte
}

func parseContainer(t *testing.T, b []byte) container {
	t.Helper()
	next := func() uint64 {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			t.Fatal("bad varint in a valid batch")
		}
		b = b[k:]
		return v
	}
	take := func() []byte {
		l := next()
		s := b[:l]
		b = b[l:]
		return s
	}
	var c container
	c.n = next()
	for range next() {
		c.strs = append(c.strs, take())
	}
	for range next() {
		c.cols = append(c.cols, take())
	}
	if len(b) != 0 {
		t.Fatalf("%d bytes after the last column", len(b))
	}
	return c
}

func (c container) bytes() []byte {
	b := binary.AppendUvarint(nil, c.n)
	b = binary.AppendUvarint(b, uint64(len(c.strs)))
	for _, s := range c.strs {
		b = append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	b = binary.AppendUvarint(b, uint64(len(c.cols)))
	for _, col := range c.cols {
		b = append(binary.AppendUvarint(b, uint64(len(col))), col...)
	}
	return b
}

func TestLayout(t *testing.T) {
	evs := []event.Event{{TimeNs: 100, PID: 7, TID: 9, Comm: "python3", Source: 2, Op: 1, PeerComm: "x"}, {TimeNs: 90, PID: 7, TID: 7, Comm: "python3"}}
	c := parseContainer(t, NewEncoder().Append(nil, evs))
	if c.n != 2 || len(c.cols) != numCols {
		t.Fatalf("n=%d cols=%d", c.n, len(c.cols))
	}
	if len(c.strs) != 3 || string(c.strs[0]) != "" || string(c.strs[1]) != "python3" || string(c.strs[2]) != "x" {
		t.Fatalf("string table %q", c.strs)
	}
	// zigzag(100), zigzag(-10); zigzag(7), 0; zigzag(2), 0; 0x201, 0.
	want := map[int][]byte{colTime: {200, 1, 19}, colPID: {14, 0}, colTID: {4, 0}, colKey: {0x81, 0x04, 0}, colComm: {1, 1}, colPeerComm: {2, 0}, colGPU: {0, 0}}
	for col, w := range want {
		if string(c.cols[col]) != string(w) {
			t.Errorf("column %d = %x, want %x", col, c.cols[col], w)
		}
	}
}

// TestUnknownColumnsSkipped is the compatibility promise: a newer writer
// may append columns and an older reader ignores them.
func TestUnknownColumnsSkipped(t *testing.T) {
	evs := batchtest.Mixed(5, 300)
	c := parseContainer(t, NewEncoder().Append(nil, evs))
	c.cols = append(c.cols, []byte("future column"), nil)
	got, err := Decode(c.bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !equalEvents(got, evs) {
		t.Fatal("events differ once extra columns were added")
	}
}

func TestDecodeRefuses(t *testing.T) {
	valid := NewEncoder().Append(nil, batchtest.Mixed(5, 50))
	tests := []struct {
		name   string
		mutate func(c *container)
		want   string
	}{
		{"missing column", func(c *container) { c.cols = c.cols[:numCols-1] }, "16 columns"},
		{"short column", func(c *container) { c.cols[colDur] = c.cols[colDur][:10] }, "column 4 holds 10 bytes"},
		{"string index too big", func(c *container) { c.cols[colComm][0] = 100 }, "string index out of range"},
		{"no string table", func(c *container) { c.strs = nil }, "string table size 0"},
		{"oversized string", func(c *container) { c.strs[1] = make([]byte, maxStringSize+1) }, "string of 4097 bytes"},
		{"op key past 16 bits", func(c *container) {
			c.cols[colKey] = append([]byte{0x80, 0x80, 0x04}, c.cols[colKey]...)
		}, "op key out of range"},
		{"too many events", func(c *container) { c.n = MaxEvents + 1 }, "exceeds the limit"},
		{"more events than data", func(c *container) { c.n = 1000 }, "for 1000 events"},
		{"varint past column end", func(c *container) {
			c.cols[colTime] = append(c.cols[colTime][:len(c.cols[colTime])-1], 0x80)
		}, "column 0: corrupt event batch: truncated varint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseContainer(t, valid)
			tt.mutate(&c)
			_, err := Decode(c.bytes(), nil)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode = %v, want ErrCorrupt saying %q", err, tt.want)
			}
		})
	}
}

func TestDecodeEveryPrefix(t *testing.T) {
	valid := NewEncoder().Append(nil, batchtest.Mixed(9, 40))
	for i := range valid {
		if _, err := Decode(valid[:i], nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d bytes: %v, want ErrCorrupt", i, err)
		}
	}
}
