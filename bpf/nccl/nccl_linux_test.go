package nccl

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// Two stand-in ranks, traced with and without return probes: every init
// and all-reduce is recorded once, with the rank, nranks and a
// communicator hash that both ranks share; durations only with returns.
func TestRanksRecorded(t *testing.T) {
	testenv.RequireBPF(t)
	art := standintest.Require(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	for _, returns := range []bool{false, true} {
		t.Run(fmt.Sprintf("returns=%v", returns), func(t *testing.T) {
			m, err := shared.New()
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			tr, err := Load(m, Options{RingBytes: 1 << 16, Returns: returns})
			var ve *ebpf.VerifierError
			if errors.As(err, &ve) {
				t.Fatalf("%-50v", ve)
			}
			if err != nil {
				t.Fatal(err)
			}
			if w, err := tr.Attach(art.NCCL); err != nil || len(w) != 0 {
				t.Fatalf("attach: %v %v", w, err)
			}
			var mu sync.Mutex
			var evs []event.Event
			tr.Start(func(b []event.Event) { mu.Lock(); evs = append(evs, b...); mu.Unlock() })
			pids := runRanks(t, art, m)
			if err := tr.Close(); err != nil {
				t.Fatal(err)
			}
			hashes := map[uint64]bool{}
			for rank, pid := range pids {
				var inits, reduces int
				for _, e := range evs {
					if e.PID != uint32(pid) {
						continue
					}
					if (e.DurNs > 0) != returns {
						t.Errorf("%s with duration %d, return probes %v", e.OpName(), e.DurNs, returns)
					}
					switch e.Op {
					case event.NCCLCommInitRank:
						inits++
						hashes[e.Args[2]] = true
						if e.Args[0] != 2 || e.Args[1] != uint64(rank) {
							t.Errorf("rank %d: init args %v", rank, e.Args)
						}
					case event.NCCLAllReduce:
						reduces++
						hashes[e.Args[1]] = true
						if e.Args[3] != uint64(rank)|2<<32 || e.Args[0] != 4<<20 {
							t.Errorf("rank %d: all-reduce args %v", rank, e.Args)
						}
					}
				}
				if inits != 1 || reduces != 10 {
					t.Errorf("rank %d: %d inits, %d all-reduces recorded; want 1 and 10", rank, inits, reduces)
				}
			}
			if len(hashes) != 1 || hashes[0] {
				t.Errorf("communicator hashes %v, want one shared non-zero hash", hashes)
			}
		})
	}
}

// runRanks runs two nccl-ranks workloads, traced from their first call.
func runRanks(t *testing.T, art *standin.Artifacts, m *shared.Maps) []int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	id := fmt.Sprintf("bpf-%d", time.Now().UnixNano())
	var runs []*standin.Run
	for rank := range 2 {
		env := []string{"STANDIN_NCCL_ID=" + id, fmt.Sprintf("STANDIN_NCCL_RANK=%d", rank), "STANDIN_NCCL_NRANKS=2"}
		r, err := art.Start(ctx, env, "--pattern", "nccl-ranks", "--iterations", "10")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Track(uint32(r.PID()), shared.Target{}); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	var pids []int
	for _, r := range runs {
		if err := r.Release(); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, r.PID())
	}
	for _, r := range runs {
		if _, err := r.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return pids
}
