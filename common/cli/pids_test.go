package cli

import (
	"errors"
	"slices"
	"testing"
)

func TestParsePIDs(t *testing.T) {
	got, err := ParsePIDs(" 4821, 5032,4821")
	if err != nil || !slices.Equal(got, []uint32{4821, 5032}) {
		t.Errorf("ParsePIDs = %v, %v", got, err)
	}
	if got, err := ParsePIDs(""); got != nil || err != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"0", "abc", "12,", "-3", "99999999999"} {
		var ue *UsageError
		if _, err := ParsePIDs(bad); !errors.As(err, &ue) {
			t.Errorf("ParsePIDs(%q) = %v, want a usage error", bad, err)
		}
	}
}
