package standin

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// Two ranks share one communicator through the id; each finishes its
// all-reduces only because the other arrived, and the last to leave
// removes the shared file.
func TestNCCLRanksMeetInEveryRound(t *testing.T) {
	art := artifacts(t)
	id := fmt.Sprintf("test-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var runs []*Run
	for rank := range 2 {
		env := []string{"STANDIN_NCCL_ID=" + id, fmt.Sprintf("STANDIN_NCCL_RANK=%d", rank), "STANDIN_NCCL_NRANKS=2",
			"STANDIN_NCCL_SLOW_RANK=1", "STANDIN_NCCL_SLOW_NS=3000000"}
		r, err := art.Start(ctx, env, "--pattern", "nccl-ranks", "--iterations", "10")
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	for _, r := range runs {
		if err := r.Release(); err != nil {
			t.Fatal(err)
		}
	}
	for rank, r := range runs {
		c, err := r.Wait()
		if err != nil {
			t.Fatalf("rank %d: %v", rank, err)
		}
		if c.Calls["ncclAllReduce"] != 10 || c.Calls["ncclCommInitRank"] != 1 || c.Errors["ncclAllReduce"] != 0 {
			t.Errorf("rank %d: calls %v errors %v", rank, c.Calls, c.Errors)
		}
	}
	if _, err := os.Stat("/dev/shm/ingero-nccl-" + id); !os.IsNotExist(err) {
		t.Errorf("the communicator's file is left behind: %v", err)
	}
}
