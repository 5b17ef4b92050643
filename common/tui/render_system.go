package tui

import (
	"fmt"
	"strings"
)

// Colour thresholds of the system bars, as a share of capacity: up to the
// first is green, from the second on red, yellow between. Load is per CPU.
var (
	cpuLevels  = [2]float64{70, 90}
	memLevels  = [2]float64{80, 95}
	swapLevels = [2]float64{0, 25} // any swap in use is worth a look
	loadLevels = [2]float64{70, 100}
)

func levelColor(pct float64, levels [2]float64) string {
	switch {
	case pct >= levels[1]:
		return ansiRed
	case pct > levels[0]:
		return ansiYel
	}
	return ansiGreen
}

// bar draws pct (0–100, clamped) as "[####......]" in its level's colour.
func bar(pct float64, width int, levels [2]float64) string {
	fill := int(min(max(pct, 0), 100)/100*float64(width) + 0.5)
	return "[" + paint(levelColor(pct, levels), strings.Repeat("#", fill)) + strings.Repeat(".", width-fill) + "]"
}

func renderSystem(s *screen, sys *System) {
	if !sys.Valid {
		s.add(" " + paint(ansiDim, "waiting for the first snapshot"))
		return
	}
	snap, tot := &sys.Snapshot, &sys.Totals
	// Label, bar and value take 20 columns besides the bar itself; the
	// details after them are dropped first on a narrow terminal.
	bw := min(max(s.width-52, 10), 40)
	s.add(fmt.Sprintf(" CPU  %s %6.1f%%", bar(snap.CPUPct, bw, cpuLevels), snap.CPUPct))

	avail := fmt.Sprintf("  %s MB available", commas(uint64(max(snap.MemAvailMB, 0))))
	if tot.MemTotalMB > 0 {
		avail += " of " + commas(uint64(tot.MemTotalMB)) + " MB"
	}
	s.add(fit(s.width, fmt.Sprintf(" Mem  %s %6.1f%%", bar(snap.MemPct, bw, memLevels), snap.MemPct), avail))

	if tot.SwapTotalMB > 0 {
		pct := 100 * float64(snap.SwapUsedMB) / float64(tot.SwapTotalMB)
		s.add(fit(s.width, fmt.Sprintf(" Swap %s %6.1f%%", bar(pct, bw, swapLevels), pct),
			fmt.Sprintf("  %s MB used of %s MB", commas(uint64(max(snap.SwapUsedMB, 0))), commas(uint64(tot.SwapTotalMB)))))
	} else {
		s.add(fit(s.width, fmt.Sprintf(" Swap %s %7s", bar(0, bw, swapLevels), "-"), "  no swap"))
	}

	cpus := max(tot.CPUs, 1)
	perCPU := 100 * snap.Load1 / float64(cpus)
	s.add(fit(s.width, fmt.Sprintf(" Load %s %7.2f", bar(perCPU, bw, loadLevels), snap.Load1), fmt.Sprintf("  on %d CPUs", cpus)))
}
