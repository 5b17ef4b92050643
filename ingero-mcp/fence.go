package mcp

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text read from a recording was written, in the end, by the traced
// processes: a comm, a command line, a stack frame, a cell of the agent's
// own SQL, the wording of a chain stored in the file. A hostile process can
// name itself "ignore previous instructions", so every such string reaches
// the agent fenced, marked as data, and without the control characters
// (and bidi overrides) that could hide text from a human reviewing the
// transcript. The server's own words (notes, hints) are not fenced.
const (
	fenceOpen  = "«"
	fenceClose = "»"
)

// Caps on one fenced string, in bytes. Names are short in the kernel (15
// bytes of comm); anything longer came from a crafted file.
const (
	capName  = 256
	capText  = 1024
	capProse = 4096 // chain summaries, root causes and fixes
)

// kind says how a string field is treated.
type kind uint8

const (
	kindText  kind = iota // recorded text: sanitized and fenced
	kindIdent             // an identifier (op, rule, severity…): kept when it looks like one, else fenced
	kindOurs              // written by this server: kept as is
)

// identKeys name fields whose values the engine or the schema draws from
// fixed sets. A crafted file can still put prose there, so a value passes
// unfenced only while it looks like an identifier: no spaces, nothing that
// can form a sentence.
var identKeys = map[string]bool{
	"id": true, "severity": true, "rule": true, "op": true, "source": true,
	"layer": true, "level": true, "mode": true, "class": true, "kind": true,
	"timestamp": true, "detected": true, "from": true, "to": true, "first": true,
	"last": true, "node": true, "hash": true, "exec": true, "graph": true,
	"stream": true, "column": true, "columns": true, "type": true, "unit": true,
	"started": true, "stopped": true, "version": true, "scenario": true, "status": true,
	"ops": true, "ip": true, "execs": true, "captured": true, "host": true, "kernel": true,
}

var proseKeys = map[string]bool{"summary": true, "root_cause": true, "fix": true, "detail": true}

var nameKeys = map[string]bool{
	"name": true, "comm": true, "process_name": true, "preemptor": true, "peer": true,
	"culprit": true, "processes": true, "pn": true,
}

var identRE = regexp.MustCompile(`^[A-Za-z0-9_.:/@+#=<>,()*-]{0,128}$`)

// fenceValue sanitizes every string reachable from v (a pointer) in place,
// choosing the treatment by the JSON name of the field or map key that
// holds it and by a `fence:"ours"` tag on the server's own fields.
func fenceValue(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	walk(rv.Elem(), "", kindText)
}

func walk(v reflect.Value, key string, k kind) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Interface {
			// Values inside interfaces cannot be set in place: copy,
			// sanitize, and put the copy back.
			inner := reflect.New(v.Elem().Type()).Elem()
			inner.Set(v.Elem())
			walk(inner, key, k)
			if v.CanSet() {
				v.Set(inner)
			}
			return
		}
		walk(v.Elem(), key, k)
	case reflect.String:
		if v.CanSet() {
			v.SetString(fenceString(v.String(), key, k))
		}
	case reflect.Struct:
		walkStruct(v)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), key, k)
		}
	case reflect.Map:
		walkMap(v, k)
	}
}

func walkStruct(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		k := kindText
		if f.Tag.Get("fence") == "ours" {
			k = kindOurs
		}
		walk(v.Field(i), strings.ToLower(name), k)
	}
}

func walkMap(v reflect.Value, k kind) {
	if v.IsNil() {
		return
	}
	type entry struct{ key, val reflect.Value }
	var entries []entry
	iter := v.MapRange()
	for iter.Next() {
		entries = append(entries, entry{iter.Key(), iter.Value()})
	}
	for _, e := range entries {
		val := reflect.New(e.val.Type()).Elem()
		val.Set(e.val)
		keyStr := ""
		newKey := e.key
		if e.key.Kind() == reflect.String {
			keyStr = e.key.String()
			if clean := cleanKey(keyStr); clean != keyStr {
				newKey = reflect.ValueOf(clean).Convert(e.key.Type())
			}
		}
		walk(val, strings.ToLower(keyStr), k)
		if newKey.Interface() != e.key.Interface() {
			v.SetMapIndex(e.key, reflect.Value{})
		}
		v.SetMapIndex(newKey, val)
	}
}

// cleanKey keeps map keys (evidence names, annotation labels) that look
// like identifiers and fences the rest.
func cleanKey(s string) string {
	if identRE.MatchString(s) {
		return s
	}
	return fence(sanitize(s, capName))
}

func fenceString(s, key string, k kind) string {
	switch {
	case k == kindOurs:
		return s
	case s == "":
		return s
	case identKeys[key] && identRE.MatchString(s):
		return s
	case nameKeys[key]:
		return fence(sanitize(s, capName))
	case proseKeys[key]:
		return fence(sanitize(s, capProse))
	}
	return fence(sanitize(s, capText))
}

func fence(s string) string { return fenceOpen + s + fenceClose }

// sanitize removes control characters (newlines and tabs become spaces, so
// a fenced value stays on one line), bidi overrides, invalid UTF-8 and any
// fence marks inside, and cuts s to at most limit bytes, saying how much
// was cut.
func sanitize(s string, limit int) string {
	var b strings.Builder
	b.Grow(min(len(s), limit+32))
	cut := 0
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				r = '\uFFFD'
			}
		}
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			r = ' '
		case unicode.IsControl(r), isBidi(r), r == '«', r == '»':
			continue
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			cut = len(s) - i
			break
		}
		b.WriteRune(r)
	}
	if cut > 0 {
		b.WriteString("…(+" + strconv.Itoa(cut) + " bytes)")
	}
	return b.String()
}

// isBidi reports the explicit direction controls that can make text read
// differently from what it holds ("Trojan Source").
func isBidi(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}
