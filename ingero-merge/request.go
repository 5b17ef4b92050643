package merge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"ingero.dev/common/cli"
)

// request is a checked command line.
type request struct {
	inputs        []string
	out           string
	force         bool
	forceNode     string
	skewThreshold time.Duration
	quiet         bool
	progressEvery time.Duration
}

func newRequest(inputs []string, c *config) (*request, error) {
	req := &request{inputs: inputs, out: c.out, force: c.force, forceNode: c.forceNode,
		skewThreshold: c.skewThreshold, quiet: c.quiet, progressEvery: c.progressEvery}
	infos := make([]os.FileInfo, len(inputs))
	for i, in := range inputs {
		fi, err := os.Stat(in)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, cli.Usagef("input %s does not exist", in)
		}
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", in, err)
		}
		if fi.IsDir() {
			return nil, cli.Usagef("input %s is a directory; name the recording files in it", in)
		}
		for j := range i {
			if os.SameFile(infos[j], fi) {
				return nil, cli.Usagef("%s is given twice (also as %s); each recording once", in, inputs[j])
			}
		}
		infos[i] = fi
	}
	fi, err := os.Stat(c.out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("output %s: %w", c.out, err)
	case fi.IsDir():
		return nil, cli.Usagef("-o %s is a directory; name the database file to create", c.out)
	default:
		for i, in := range infos {
			if os.SameFile(in, fi) {
				return nil, cli.Usagef("-o %s is also an input (%s); merge into a new file", c.out, inputs[i])
			}
		}
		if !c.force {
			return nil, cli.Usagef("%s exists; pass --force to replace it, or name another -o file", c.out)
		}
	}
	return req, nil
}
