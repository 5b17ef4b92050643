package causal

import (
	"fmt"

	"ingero.dev/common/event"
)

// barrierWaits names, per communicator, the rank the others keep waiting
// for at collectives: the straggler. Every rank blocks in a collective
// until the last one arrives, so a rank that is last round after round
// sets the pace of the whole job.
func (v *view) barrierWaits() []*finding {
	var out []*finding
	for _, k := range v.e.nccl.order {
		c := v.e.nccl.comms[k]
		if c.done < ncclRoundsMin {
			continue
		}
		straggler, l := -1, (*lastStats)(nil)
		for rank, s := range c.lastBy {
			if l == nil || s.rounds > l.rounds || (s.rounds == l.rounds && rank < straggler) {
				straggler, l = rank, s
			}
		}
		share := float64(l.rounds) / float64(c.done)
		med := l.wait.Quantile(0.5)
		if share < ncclLastShare || med < ncclWaitMinNs {
			continue
		}
		r := c.ranks[straggler]
		if v.e.pids != nil && !v.anyRankSelected(c) {
			continue
		}
		span := max(c.lastT-c.first, 1)
		impact := float64(l.waitNs) / float64(span)
		sev := event.SeverityMedium
		if impact >= 0.05 {
			sev = event.SeverityHigh
		}
		f := v.newFinding("nccl-barrier-wait", r.node, c.op, r.pid, sev, impact)
		name := procName(r.comm, r.pid)
		f.Summary = fmt.Sprintf("rank %d of %d (%s) is the straggler: last to %s in %s of %s rounds, the others wait %s a round",
			straggler, c.nranks, name, c.op, fmtCount(l.rounds), fmtCount(c.done), fmtDur(med))
		f.RootCause = fmt.Sprintf("In communicator %016x, rank %d (%s) reached the collective last in %s of %s rounds; "+
			"the other %d ranks waited for it %s in all (%s of the time), %s at the median and up to %s: "+
			"the job runs at the pace of its slowest rank.",
			k.hash, straggler, name, fmtCount(l.rounds), fmtCount(c.done), c.nranks-1, fmtDur(l.waitNs), fmtPct(impact), fmtDur(med), fmtDur(l.worst.d))
		f.Fix = fmt.Sprintf("Find what slows rank %d between collectives: `ingero explain --pid %d` for its own chains (CPU contention, input pipeline, IO), "+
			"uneven data shards or sequence lengths, a throttled or shared GPU on its node; balance the work or move the rank.", straggler, r.pid)
		f.add(c.first, event.SourceNCCL.Layer(), fmt.Sprintf("first round of %s over %d ranks", c.op, c.nranks))
		f.add(l.worst.t, event.SourceNCCL.Layer(), fmt.Sprintf("rank %d arrives %s after the others", straggler, fmtDur(l.worst.d)))
		f.Evidence["comm_hash"], f.Evidence["nranks"], f.Evidence["rounds"] = fmt.Sprintf("%016x", k.hash), int64(c.nranks), c.done
		f.Evidence["straggler_rank"], f.Evidence["pid"], f.Evidence["comm"] = int64(straggler), r.pid, r.comm
		f.Evidence["last_rounds"], f.Evidence["last_share"] = l.rounds, round4(share)
		f.Evidence["wait_ns"], f.Evidence["median_wait_ns"], f.Evidence["max_wait_ns"] = l.waitNs, med, l.worst.d
		f.Evidence["impact"] = round4(impact)
		out = append(out, f.done())
	}
	return out
}

func (v *view) anyRankSelected(c *commState) bool {
	for _, r := range c.ranks {
		if v.e.pids[r.pid] {
			return true
		}
	}
	return false
}
