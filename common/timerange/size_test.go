package timerange

import (
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	const k, m, g, tb = 1 << 10, 1 << 20, 1 << 30, 1 << 40
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"4096", 4096},
		{"32m", 32 * m},
		{"500m", 500 * m},
		{"10g", 10 * g},
		{"10G", 10 * g},
		{"10gb", 10 * g},
		{"10GiB", 10 * g},
		{"1t", tb},
		{"8k", 8 * k},
		{"8K", 8 * k},
		{"4096b", 4096},
		{" 1m ", m},
		{"8388607t", 8388607 * tb},
		{"9223372036854775807", math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{"-1m", "negative"},
		{"m", "expected a number"},
		{"10x", `unknown suffix "x"`},
		{"10p", `unknown suffix "p"`},
		{"10i", `unknown suffix "i"`},
		{"10ib", `unknown suffix "ib"`},
		{"10 g", `unknown suffix " g"`},
		{"1.5g", "whole numbers"},
		{"8388608t", "too large"},
		{"9223372036854775808", "too large"},
	}
	for _, tt := range tests {
		_, err := ParseSize(tt.in)
		if err == nil {
			t.Errorf("ParseSize(%q) succeeded; want error containing %q", tt.in, tt.why)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.why) || !strings.Contains(msg, SizeExamples) || strings.Contains(msg, "\n") {
			t.Errorf("ParseSize(%q) error = %q; want one line with %q and the examples", tt.in, msg, tt.why)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{1000, "1000"},
		{4096, "4k"},
		{32 << 20, "32m"},
		{10 << 30, "10g"},
		{3 << 40, "3t"},
		{(1 << 30) + 1, "1073741825"},
		{1536 << 20, "1536m"},
	}
	for _, tt := range tests {
		got := FormatSize(tt.in)
		if got != tt.want {
			t.Errorf("FormatSize(%d) = %q; want %q", tt.in, got, tt.want)
		}
		if back, err := ParseSize(got); err != nil || back != tt.in {
			t.Errorf("ParseSize(%q) = %d, %v; want %d back", got, back, err, tt.in)
		}
	}
}
