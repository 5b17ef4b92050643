package mcp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// outputTypes are every tool's answer.
var outputTypes = []reflect.Type{
	reflect.TypeFor[CheckOut](), reflect.TypeFor[StatsOut](), reflect.TypeFor[ChainsOut](),
	reflect.TypeFor[PerProcessOut](), reflect.TypeFor[StacksOut](), reflect.TypeFor[GraphLifecycleOut](),
	reflect.TypeFor[GraphFrequencyOut](), reflect.TypeFor[SQLOut](), reflect.TypeFor[DemoOut](), reflect.TypeFor[FleetOut](),
}

// The legend must read back one way: no two keys share a short form, and
// no short form is itself a key of some answer (the table markers
// included).
func TestLegendIsUnambiguous(t *testing.T) {
	long := map[string]bool{"cols": true, "rows": true}
	for _, ot := range outputTypes {
		for _, k := range jsonKeys(ot) {
			long[k] = true
		}
	}
	byShort := map[string]string{}
	for l, s := range legend {
		if prev, dup := byShort[s]; dup {
			t.Errorf("%q and %q both shorten to %q", prev, l, s)
		}
		byShort[s] = l
		if s != l && long[s] {
			t.Errorf("%q shortens to %q, which is a key of its own", l, s)
		}
	}
}

// expand undoes TSC: tables back to arrays of objects, short keys back
// to long ones (not inside evidence), so a test can compare it with the
// structured content.
func expand(v any, rename bool) any {
	inverse := map[string]string{}
	for l, s := range legend {
		inverse[s] = l
	}
	switch v := v.(type) {
	case map[string]any:
		if cols, rows, ok := asTable(v); ok {
			out := make([]any, len(rows))
			for i, r := range rows {
				obj := map[string]any{}
				for j, c := range cols {
					obj[c] = r.([]any)[j]
				}
				out[i] = expand(obj, rename)
			}
			return out
		}
		out := map[string]any{}
		for k, val := range v {
			if long, ok := inverse[k]; ok && rename {
				k = long
			}
			out[k] = expand(val, rename && !verbatim[k])
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = expand(v[i], rename)
		}
		return out
	}
	return v
}

func asTable(m map[string]any) ([]string, []any, bool) {
	cols, ok1 := m["cols"].([]any)
	rows, ok2 := m["rows"].([]any)
	if len(m) != 2 || !ok1 || !ok2 {
		return nil, nil, false
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i], _ = c.(string)
	}
	return names, rows, true
}

// dropNulls removes null members: a table writes null for a key a row
// lacks, and omitted optional fields are absent in the original.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if val == nil {
				delete(v, k)
			} else {
				v[k] = dropNulls(val)
			}
		}
	case []any:
		for i := range v {
			v[i] = dropNulls(v[i])
		}
	}
	return v
}

// TSC drops nothing: expanded, the compact text is the structured
// content, and the verbose text is too.
func TestTSCIsLossless(t *testing.T) {
	cs := connect(t, trainingFixture().write(t))
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"get_trace_stats", nil}, {"get_causal_chains", map[string]any{"annotations": true}}, {"get_per_process", nil},
		{"get_stacks", nil}, {"graph_lifecycle", map[string]any{"pid": 4821}}, {"graph_frequency", nil},
		{"run_sql", map[string]any{"query": "SELECT pid, comm, op_name, duration_ns FROM events LIMIT 50"}}, {"get_check", nil},
	}
	for _, c := range calls {
		compact := ok(t, cs, c.tool, c.args)
		full := ok(t, cs, c.tool, verboseArgs(c.args))
		if strings.Contains(compact.text, "\n") || !strings.Contains(full.text, "\n  ") {
			t.Errorf("%s: compact text has newlines or verbose text is not indented", c.tool)
		}
		if len(compact.text) >= len(full.text) {
			t.Errorf("%s: compact %d bytes, verbose %d", c.tool, len(compact.text), len(full.text))
		}
		var tsc, verbose any
		if err := json.Unmarshal([]byte(compact.text), &tsc); err != nil {
			t.Fatalf("%s: compact text is not JSON: %v", c.tool, err)
		}
		if err := json.Unmarshal([]byte(full.text), &verbose); err != nil {
			t.Fatalf("%s: verbose text is not JSON: %v", c.tool, err)
		}
		want := dropNulls(any(compact.structured))
		if c.tool == "get_check" {
			// The host's checks ran twice; compare the recording only.
			want, tsc, verbose = path(want, "recording"), path(tsc, "recording"), path(verbose, "recording")
		}
		if got := dropNulls(expand(tsc, true)); !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: expanded TSC differs from the structured content:\n%s\n%s", c.tool, g, w)
		}
		if got := dropNulls(verbose); c.tool != "run_sql" && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: verbose text differs from the structured content", c.tool)
		}
	}
}

func TestLegendForListsOnlyPresentKeys(t *testing.T) {
	got := legendFor([]string{"pid", "op", "p99_ns", "pid", "unknown"})
	if got != "p99_ns=p99 pid=p" {
		t.Errorf("legendFor: %q", got)
	}
}
