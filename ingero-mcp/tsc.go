package mcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// TSC ("telegraphic compression") is the compact text a tool answers with
// by default: the same values as the verbose JSON, nothing dropped or
// rounded, in fewer tokens. Three rewrites do it:
//
//   - long keys become the short ones of the legend (pid→p, p99_ns→p99);
//   - an array of two or more objects becomes a table, {"cols":[…],"rows":[[…],…]},
//     so each key is written once instead of once per row;
//   - no indentation or spaces.
//
// A key the legend does not know is kept, and so are the keys inside a
// chain's evidence, whose names the rules document (docs/rules.md). Each
// tool's description carries the legend of its keys.
var legend = map[string]string{
	"timestamp": "t", "pid": "p", "tid": "tid", "duration_ns": "d_ns",
	"calls": "n", "count": "cnt", "errors": "err", "events": "evts",
	"p50_ns": "p50", "p95_ns": "p95", "p99_ns": "p99", "max_ns": "max",
	"min_ns": "min", "mean_ns": "mean", "total_ns": "tot", "wall_share": "w",
	"severity": "sev", "summary": "sum", "root_cause": "rc", "timeline": "tl",
	"layer": "l", "detail": "det", "evidence": "ev", "process_name": "pn",
	"processes": "procs", "window": "win", "detected": "at", "contention": "cont",
	"annotations": "ann", "source": "src", "frames": "fr", "launches": "lau",
	"instantiations": "inst", "captures": "cap", "rate_per_s": "rate",
	"truncated": "trunc", "duration_ms": "ms",
	"first": "t0", "last": "t1", "name": "nm", "note": "note",
}

// legendFor lists, as "long=short" pairs, the legend entries whose long
// key appears among keys, for a tool's description.
func legendFor(keys []string) string {
	seen := map[string]bool{}
	var pairs []string
	for _, k := range keys {
		if s, ok := legend[k]; ok && s != k && !seen[k] {
			seen[k] = true
			pairs = append(pairs, k+"="+s)
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, " ")
}

// compact renders v as TSC.
func compact(v any) ([]byte, error) {
	raw, err := marshal(v)
	if err != nil {
		return nil, err
	}
	tree, err := parseOrdered(raw)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeTSC(&b, tree, true); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshal is json.Marshal without the HTML escapes (<, >, & stay as they
// are: they cost tokens and mean nothing to a model).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// verbose renders v as indented JSON with the full keys: {"tsc": false}.
func verbose(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// node is a JSON value that keeps its object keys in order (a Go map
// would sort them, and the order of a report's fields is part of how it
// reads).
type node struct {
	obj    []member // for objects; nil otherwise
	arr    []*node  // for arrays
	isObj  bool
	isArr  bool
	scalar json.RawMessage // for everything else, as written
}

type member struct {
	key string
	val *node
}

func parseOrdered(raw []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, fmt.Errorf("compacting output: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("compacting output: trailing data")
	}
	return n, nil
}

func parseNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{isObj: true}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseNode(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, member{kt.(string), v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{isArr: true}
			for dec.More() {
				v, err := parseNode(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		raw, err := marshal(tok)
		return &node{scalar: raw}, err
	}
}

func short(key string) string {
	if s, ok := legend[key]; ok {
		return s
	}
	return key
}

// verbatim are the keys whose objects keep their own keys.
var verbatim = map[string]bool{"evidence": true}

func writeTSC(b *bytes.Buffer, n *node, rename bool) error {
	switch {
	case n.isObj:
		b.WriteByte('{')
		for i, m := range n.obj {
			if i > 0 {
				b.WriteByte(',')
			}
			k := m.key
			if rename {
				k = short(k)
			}
			writeKey(b, k)
			if err := writeTSC(b, m.val, rename && !verbatim[m.key]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case n.isArr:
		if cols, ok := tableColumns(n.arr); ok {
			return writeTable(b, cols, n.arr, rename)
		}
		b.WriteByte('[')
		for i, v := range n.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeTSC(b, v, rename); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		b.Write(n.scalar)
	}
	return nil
}

func writeKey(b *bytes.Buffer, k string) {
	raw, _ := marshal(k)
	b.Write(raw)
	b.WriteByte(':')
}

// tableColumns returns the union of the objects' keys, in order of first
// appearance, when arr is two or more objects and nothing else.
func tableColumns(arr []*node) ([]string, bool) {
	if len(arr) < 2 {
		return nil, false
	}
	var cols []string
	seen := map[string]bool{}
	for _, v := range arr {
		if !v.isObj {
			return nil, false
		}
		for _, m := range v.obj {
			if !seen[m.key] {
				seen[m.key] = true
				cols = append(cols, m.key)
			}
		}
	}
	return cols, true
}

var null = &node{scalar: json.RawMessage("null")}

func writeTable(b *bytes.Buffer, cols []string, rows []*node, rename bool) error {
	b.WriteString(`{"cols":[`)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		if rename {
			c = short(c)
		}
		raw, _ := marshal(c)
		b.Write(raw)
	}
	b.WriteString(`],"rows":[`)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for j, c := range cols {
			if j > 0 {
				b.WriteByte(',')
			}
			v := null
			for _, m := range r.obj {
				if m.key == c {
					v = m.val
					break
				}
			}
			if err := writeTSC(b, v, rename && !verbatim[c]); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	}
	b.WriteString("]}")
	return nil
}
