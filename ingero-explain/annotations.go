package explain

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"ingero.dev/common/annotate"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// chainLabels finds, for each chain, the annotations that cover its
// timeline and those in force at its steps (its hits), by the rules
// common/annotate states.
func chainLabels(r source.Source, chains []event.Chain) (labels, hits [][]map[string]string, err error) {
	if len(chains) == 0 {
		return [][]map[string]string{}, [][]map[string]string{}, nil
	}
	var hiAll int64
	for _, ch := range chains {
		_, hi := annotate.Extent(ch)
		hiAll = max(hiAll, hi)
	}
	anns, err := r.Annotations(0, hiAll)
	if err != nil {
		return nil, nil, err
	}
	ix := annotate.New(anns)
	return ix.Chains(chains), ix.ChainHits(chains), nil
}

// labelText shows each annotation as {name=value …}, or "none".
func labelText(labels []map[string]string) string {
	if len(labels) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(l)) {
			v := l[k]
			if strings.ContainsAny(v, " =\"{}\n") {
				v = strconv.Quote(v)
			}
			kv = append(kv, k+"="+v)
		}
		parts = append(parts, "{"+strings.Join(kv, " ")+"}")
	}
	return strings.Join(parts, " ")
}

// maxShownLabels bounds the label sets one text line shows: a chain that
// spans minutes of a loop annotating every step covers thousands.
const maxShownLabels = 8

// shortLabelText is labelText for a line people read: past maxShownLabels
// sets, the first and last few and how many there are (--json has all).
func shortLabelText(labels []map[string]string) string {
	if len(labels) <= maxShownLabels {
		return labelText(labels)
	}
	head, tail := labels[:maxShownLabels-2], labels[len(labels)-2:]
	return labelText(head) + " … " + labelText(tail) + " (" + strconv.Itoa(len(labels)) + " in all; --json lists each)"
}
