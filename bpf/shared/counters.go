package shared

import (
	"fmt"

	"github.com/cilium/ebpf"

	"ingero.dev/common/event"
)

// NumSources bounds the per-source counters (SRC_MAX in ingero.h).
const NumSources = 16

// Counters are the kernel's loss and error counts, summed over CPUs, since
// the maps were created.
type Counters struct {
	// Drops counts records lost because the ring buffer was full, by source.
	Drops [NumSources]uint64
	// Sampled counts records skipped on purpose by 1-in-N sampling.
	Sampled [NumSources]uint64
	Errors  ProbeErrors
}

// ProbeErrors count trouble that lost no ring record but did lose detail.
type ProbeErrors struct {
	CallStateFull uint64 // a call could not be remembered until its return
	OffCPUFull    uint64 // a switched-out thread could not be remembered
	SummaryFull   uint64 // CPU time of another task could not be attributed
	ReadUser      uint64 // an argument or out pointer could not be read
	ForkEnroll    uint64 // a traced parent's child could not be enrolled
}

// DropsOf returns the drops of one source.
func (c *Counters) DropsOf(s event.Source) uint64 { return c.Drops[s%NumSources] }

// TotalDrops sums drops over sources.
func (c *Counters) TotalDrops() uint64 { return sum(c.Drops[:]) }

// TotalSampled sums sampled-out records over sources.
func (c *Counters) TotalSampled() uint64 { return sum(c.Sampled[:]) }

// Counters reads the counters.
func (m *Maps) Counters() (Counters, error) {
	var c Counters
	if err := readPerCPU(m.objs.Drops, c.Drops[:]); err != nil {
		return c, fmt.Errorf("reading drop counters: %w", err)
	}
	if err := readPerCPU(m.objs.Sampled, c.Sampled[:]); err != nil {
		return c, fmt.Errorf("reading sampling counters: %w", err)
	}
	var errs [mapsProbeErrorERR_MAX]uint64
	if err := readPerCPU(m.objs.Errors, errs[:]); err != nil {
		return c, fmt.Errorf("reading probe error counters: %w", err)
	}
	c.Errors = ProbeErrors{
		CallStateFull: errs[mapsProbeErrorERR_CALL_STATE_FULL],
		OffCPUFull:    errs[mapsProbeErrorERR_OFFCPU_FULL],
		SummaryFull:   errs[mapsProbeErrorERR_SUMMARY_FULL],
		ReadUser:      errs[mapsProbeErrorERR_READ_USER],
		ForkEnroll:    errs[mapsProbeErrorERR_FORK_ENROLL],
	}
	return c, nil
}

func readPerCPU(m *ebpf.Map, out []uint64) error {
	var perCPU []uint64
	for i := range out {
		if err := m.Lookup(uint32(i), &perCPU); err != nil {
			return err
		}
		out[i] = sum(perCPU)
	}
	return nil
}

func sum(v []uint64) uint64 {
	var n uint64
	for _, x := range v {
		n += x
	}
	return n
}
