package scenario

import (
	"slices"

	"ingero.dev/common/event"
)

// sortByTime orders events as a trace would record them: plants add events
// slightly ahead of the loop's clock.
func sortByTime(evs []event.Event) {
	slices.SortStableFunc(evs, func(a, b event.Event) int {
		switch {
		case a.TimeNs < b.TimeNs:
			return -1
		case a.TimeNs > b.TimeNs:
			return 1
		}
		return 0
	})
}
