package export

import "strings"

// argNamesOf reads an op's arg names from its description in the event
// table ("…; args: bytes, kind, stream"), so the trace labels values the
// way docs/events.md does. Unnamed positions stay empty.
func argNamesOf(desc string) [4]string {
	var out [4]string
	_, list, ok := strings.Cut(desc, "args: ")
	if !ok {
		return out
	}
	for i, part := range strings.SplitN(list, ", ", 5) {
		if i == 4 {
			break
		}
		out[i] = identifier(part)
	}
	return out
}

// identifier keeps the leading words of s that are plain words, joined by
// underscores, up to a qualifier: "grid and block dims packed x | y<<32"
// gives grid_and_block_dims, "freed size when paired" freed_size.
func identifier(s string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if w == "packed" || w == "when" || strings.TrimFunc(w, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' }) != "" {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, "_")
}
