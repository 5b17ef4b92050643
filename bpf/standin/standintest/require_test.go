package standintest

import (
	"testing"

	"ingero.dev/bpf/standin"
)

func TestRequireSharesOneCachedBuild(t *testing.T) {
	art := Require(t)
	again, err := standin.Cached()
	if err != nil || again != art {
		t.Fatalf("Cached() = %v, %v: want the build Require returned", again, err)
	}
}
