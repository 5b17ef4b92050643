package timerange

import "testing"

func BenchmarkParseDuration(b *testing.B) {
	for b.Loop() {
		if _, err := ParseDuration("3d12h30m15.5s"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	for _, in := range []string{"15:40", "2026-11-26T15:40:05.123456789Z", "1764171600123456789"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				if _, err := ParseTime(in, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	spec := Spec{From: "15:40", To: "15:41"}
	for b.Loop() {
		if _, err := spec.Resolve(now, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSize(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSize("10GiB"); err != nil {
			b.Fatal(err)
		}
	}
}
