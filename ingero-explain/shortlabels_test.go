package explain

import (
	"fmt"
	"testing"
)

func TestShortLabelTextBoundsTheLine(t *testing.T) {
	var many []map[string]string
	for i := range 20 {
		many = append(many, map[string]string{"step": fmt.Sprint(i)})
	}
	want := "{step=0} {step=1} {step=2} {step=3} {step=4} {step=5} … {step=18} {step=19} (20 in all; --json lists each)"
	if got := shortLabelText(many); got != want {
		t.Errorf("got %q", got)
	}
	if got := shortLabelText(many[:2]); got != "{step=0} {step=1}" {
		t.Errorf("few: %q", got)
	}
}
