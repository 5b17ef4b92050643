package cudalib

import (
	"slices"
	"strconv"
)

// Filter returns the processes keep accepts, and only the libraries they
// map, with PIDs narrowed to them. s is left as it is.
func (s *Snapshot) Filter(keep func(*Process) bool) *Snapshot {
	out := &Snapshot{Denied: s.Denied}
	copies := map[*Library]*Library{}
	for _, p := range s.Processes {
		if !keep(p) {
			continue
		}
		q := *p
		q.Libraries = nil
		for _, lib := range p.Libraries {
			c := copies[lib]
			if c == nil {
				c = new(Library)
				*c = *lib
				c.PIDs = nil
				copies[lib] = c
			}
			c.PIDs = append(c.PIDs, p.PID)
			q.Libraries = append(q.Libraries, c)
		}
		out.Processes = append(out.Processes, &q)
	}
	for _, lib := range s.Libraries {
		if c := copies[lib]; c != nil {
			out.Libraries = append(out.Libraries, c)
		}
	}
	return out
}

// OwnedBy keeps the processes whose real uid is user, given as a name or
// as a number.
func OwnedBy(user string) func(*Process) bool {
	return func(p *Process) bool {
		return (p.User != "" && p.User == user) || strconv.Itoa(p.UID) == user
	}
}

// WithPID keeps the processes whose PID is listed.
func WithPID(pids ...int) func(*Process) bool {
	return func(p *Process) bool { return slices.Contains(pids, p.PID) }
}

// OfKind returns the libraries of kind k.
func (s *Snapshot) OfKind(k Kind) []*Library {
	var out []*Library
	for _, lib := range s.Libraries {
		if lib.Kind == k {
			out = append(out, lib)
		}
	}
	return out
}
