// Package batchtest generates seeded, realistic event slices for tests and
// benchmarks of the batch codec, the stream and the store. The generators
// model what trace records from real programs, jitter and irregularity
// included, so that compression numbers measured on them mean something;
// Random instead covers every field's full range for round-trip tests.
//
// The same seed always yields the same events.
package batchtest
