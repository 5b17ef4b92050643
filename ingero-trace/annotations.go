package trace

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"
	"strconv"
	"strings"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/annotate/listen"
	"ingero.dev/common/cli"
)

// annotateFlags configure the annotation socket (docs/annotations.md).
type annotateFlags struct {
	socket string
	group  string
	rate   float64
}

const socketOff = "off"

func (a *annotateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.socket, "annotate-socket", emit.DefaultSocket, "accept annotations (steps, request spans; docs/annotations.md) on this Unix `socket` ('off': none)")
	fs.StringVar(&a.group, "annotate-group", "", "`group` (name or gid) that may write to the annotation socket (default: that of the user who ran sudo)")
	fs.Float64Var(&a.rate, "annotate-rate", 1000, "annotation lines a second each writing process may send; more are dropped and counted (0: no limit)")
}

func (a *annotateFlags) validate() error {
	if a.rate < 0 {
		return cli.Usagef("--annotate-rate %g: give lines per second, or 0 for no limit", a.rate)
	}
	if a.socket == "" {
		return cli.Usagef("--annotate-socket is empty: give a path, or 'off' to accept no annotations")
	}
	if a.group != "" {
		if _, err := groupID(a.group); err != nil {
			return cli.Usagef("--annotate-group %s: %v", a.group, err)
		}
	}
	return nil
}

// groupID resolves a group name or a numeric gid; "" is the group of the
// user who ran sudo, else the process's own (-1: leave it).
func groupID(name string) (int, error) {
	if name == "" {
		if g, err := strconv.Atoi(os.Getenv("SUDO_GID")); err == nil {
			return g, nil
		}
		return -1, nil
	}
	if g, err := strconv.ParseUint(name, 10, 31); err == nil {
		return int(g), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		var unknown user.UnknownGroupError
		if errors.As(err, &unknown) {
			return 0, errors.New("no such group on this host (give a name from /etc/group or a numeric gid)")
		}
		return 0, err
	}
	return strconv.Atoi(g.Gid)
}

// openAnnotations starts the socket. The default path is shared by every
// trace on the host: when another trace holds it, this one records
// without annotations and says so; a path given on the command line must
// work.
func openAnnotations(c *config, fs *flag.FlagSet, node string, errw io.Writer) (*listen.Server, error) {
	a := c.annotate
	if a.socket == socketOff {
		return nil, nil
	}
	gid, _ := groupID(a.group) // checked by validate
	s, err := listen.Listen(listen.Config{Path: a.socket, GID: gid, Node: node, Rate: a.rate, Burst: max(1, int(a.rate))})
	if err == nil {
		return s, nil
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "annotate-socket" })
	if given {
		return nil, fmt.Errorf("--annotate-socket %s: %w; give another path, or 'off'", a.socket, err)
	}
	fmt.Fprintf(errw, "warning: %v; recording without annotations (give --annotate-socket PATH for a socket of this trace)\n", err)
	return nil, nil
}

// annotationSummary is the exit line: how many annotations were recorded,
// every drop, by reason, and how many sent times trace did not believe.
func annotationSummary(w io.Writer, st listen.Stats) {
	if st.Senders == 0 {
		return
	}
	line := fmt.Sprintf("ingero trace: %d annotations from %d connections; %d dropped", st.Recorded, st.Senders, st.DroppedTotal())
	if len(st.Dropped) > 0 {
		var parts []string
		for r, n := range st.Dropped {
			parts = append(parts, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(parts)
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if st.TimeClamped > 0 {
		line += fmt.Sprintf("; %d sent times out of range, clamped", st.TimeClamped)
	}
	fmt.Fprintln(w, line)
}
