package ndjson

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"ingero.dev/common/event"
)

// Pairs shows an event's args, then its optional fields (preemptor or
// peer, stack_id, gpu), as "name=value" pairs for people: query's table
// and trace --verbose. Walk gives the names and values of docs/json.md, so
// they and --json cannot drift apart; cgroup_id, like node, only --json
// carries.
func Pairs(ev *event.Event) string {
	var b strings.Builder
	Walk(ev, func(name string, v any) {
		if name == "cgroup_id" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(ValueText(v))
	})
	return b.String()
}

func ValueText(v any) string {
	switch v := v.(type) {
	case uint64:
		return strconv.FormatUint(v, 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case string:
		v = asJSONReads(v)
		if strings.ContainsAny(v, " =\"") {
			return strconv.Quote(v)
		}
		return Printable(v)
	}
	return "?"
}

// asJSONReads turns each byte that is not valid UTF-8 into the character
// of its value, as a reader of the --json line sees it (docs/json.md), so
// that a table shows a name the way --json does.
func asJSONReads(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			r = rune(s[i])
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// Printable escapes what would break a table row: control characters,
// invalid UTF-8 and other unprintable runes.
func Printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}
