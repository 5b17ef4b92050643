// Command genops writes include/ops.h, the C names of the event contract's
// source and op ids, from common/event. The probes use these names, so a
// probe cannot emit an id the contract does not define; a test in package
// ingero.dev/bpf fails when the committed header drifts.
package main

import (
	"flag"
	"fmt"
	"os"

	"ingero.dev/bpf/internal/opsheader"
)

func main() {
	out := flag.String("o", "include/ops.h", "output `path`")
	flag.Parse()
	if err := os.WriteFile(*out, opsheader.Render(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genops:", err)
		os.Exit(1)
	}
}
