package stream

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// jsonFloat is a float64 that survives JSON when it is not finite: NaN and
// the infinities, which JSON numbers cannot hold, travel as the strings
// "NaN", "+Inf" and "-Inf". A ratio over an empty interval is NaN, and a
// whole frame must not be lost to it.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, ok := nonFinite[s]
		if !ok {
			return fmt.Errorf("number %q", s)
		}
		*f = jsonFloat(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

var nonFinite = map[string]float64{"NaN": math.NaN(), "+Inf": math.Inf(1), "-Inf": math.Inf(-1)}

// finiteMap returns m with every non-finite float, at any depth, replaced
// by its string spelling; chain evidence is free-form and may hold one.
func finiteMap(m map[string]any) map[string]any {
	if out, changed := finite(m); changed {
		return out.(map[string]any)
	}
	return m
}

// finite returns v with its non-finite floats spelled out, and whether
// there were any. Containers are copied only when something inside
// changes, so the caller's values are never modified.
func finite(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b, _ := jsonFloat(x).MarshalJSON()
			return string(b[1 : len(b)-1]), true
		}
	case float32:
		return finite(float64(x))
	case []float64:
		for _, f := range x {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				out := make([]any, len(x))
				for i, f := range x {
					out[i], _ = finite(f)
				}
				return out, true
			}
		}
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if fe, changed := finite(e); changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = fe
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range x {
			if fe, changed := finite(e); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = fe
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}
