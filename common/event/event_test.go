package event

import "testing"

func TestOpLookups(t *testing.T) {
	for _, o := range Ops() {
		got, ok := OpByName(o.Name)
		if !ok || got.Source != o.Source || got.Op != o.Op {
			t.Errorf("OpByName(%q) = %+v, %v", o.Name, got, ok)
		}
		if OpName(o.Source, o.Op) != o.Name {
			t.Errorf("OpName(%d,%d) = %q, want %q", o.Source, o.Op, OpName(o.Source, o.Op), o.Name)
		}
	}
	if oi, ok := OpByName("cudaStreamSync"); !ok || oi.Name != "cudaStreamSynchronize" {
		t.Errorf("alias cudaStreamSync resolved to %+v, %v", oi, ok)
	}
	if _, ok := OpByName("cudaNope"); ok {
		t.Error("unknown op resolved")
	}
	if got := OpName(SourceCUDA, 200); got != "cuda/op(200)" {
		t.Errorf("unknown op name = %q", got)
	}
	if got := Source(77).String(); got != "source(77)" {
		t.Errorf("unknown source = %q", got)
	}
}

func TestEveryOpHasAKnownSource(t *testing.T) {
	for _, o := range Ops() {
		if o.Source.Layer() == "UNKNOWN" {
			t.Errorf("op %s has unregistered source %d", o.Name, o.Source)
		}
		if o.Description == "" {
			t.Errorf("op %s has no description", o.Name)
		}
	}
}

func TestSeverityRoundTrip(t *testing.T) {
	for _, s := range []Severity{SeverityLow, SeverityMedium, SeverityHigh} {
		got, ok := ParseSeverity(s.String())
		if !ok || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, ok)
		}
	}
	if SeverityHigh <= SeverityMedium || SeverityMedium <= SeverityLow {
		t.Error("severities must order low < medium < high")
	}
}
