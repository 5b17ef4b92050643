package hist

import (
	"math"
	"testing"
)

func TestFormatNs(t *testing.T) {
	cases := []struct {
		ns   int64
		want string
	}{
		{0, "0ns"}, {850, "850ns"}, {999, "999ns"},
		{1_000, "1µs"}, {4_800, "4.8µs"}, {4_849, "4.8µs"}, {4_850, "4.9µs"},
		{11_200, "11.2µs"}, {38_000, "38µs"}, {38_040, "38µs"},
		{99_940, "99.9µs"}, {99_960, "100µs"}, {124_000, "124µs"}, {891_400, "891µs"},
		{999_499, "999µs"}, {999_500, "1ms"}, {2_100_000, "2.1ms"},
		{16_700_000, "16.7ms"}, {142_000_000, "142ms"}, {999_999_999, "1s"},
		{2_100_000_000, "2.1s"}, {142_400_000_000, "142s"},
		{999_499_999_999, "999s"}, {999_500_000_000, "16m40s"},
		{3_600_000_000_000, "1h0m0s"}, {math.MaxInt64, "2562047h47m16s"},
		{-4_800, "-4.8µs"}, {math.MinInt64, "-2562047h47m16s"},
	}
	for _, c := range cases {
		if got := FormatNs(c.ns); got != c.want {
			t.Errorf("FormatNs(%d) = %q, want %q", c.ns, got, c.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 12847: "12,847", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
