package causal

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestZZDebug(t *testing.T) {
	g := newGen(1, 20*time.Second)
	g.noise()
	g.preempt("logrotate", 8821, 3, 2_000_000)
	rep := analyzeGen(t, g)
	for _, c := range rep.Chains {
		b, _ := json.MarshalIndent(c, "", "  ")
		fmt.Println(string(b))
	}
	for _, o := range rep.Ops {
		fmt.Printf("%+v\n", o)
	}
}
