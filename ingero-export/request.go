package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"ingero.dev/common/cli"
	"ingero.dev/common/stream"
)

const (
	formatPerfetto = "perfetto"
	formatJSON     = "chrome-json"
)

type request struct {
	db     string
	out    string
	format string
	gzip   bool
	pids   []uint32
	note   string // said on stderr before writing
	cfg    *config
}

func (c *config) request(args []string) (*request, error) {
	switch {
	case len(args) > 0:
		return nil, cli.Usagef("export takes no arguments (got %q); name the recording with -d and the trace with -o", args[0])
	case c.out == "":
		return nil, cli.Usagef("name the trace file with -o, such as: ingero export -d x.db -o trace.perfetto-trace")
	}
	switch c.chains {
	case chainsAuto, chainsStored, chainsAnalyze, chainsNone:
	default:
		return nil, cli.Usagef("--chains %s: use auto, stored, analyze or none", c.chains)
	}
	pids, err := cli.ParsePIDs(c.pids)
	if err != nil {
		return nil, err
	}
	req := &request{db: c.db, out: c.out, gzip: c.gzip || strings.HasSuffix(c.out, ".gz"), pids: pids, cfg: c}
	base := strings.TrimSuffix(c.out, ".gz")
	switch c.format {
	case formatPerfetto, formatJSON:
		req.format = c.format
		if c.format == formatPerfetto && strings.HasSuffix(base, ".json") {
			req.note = fmt.Sprintf("%s will hold Perfetto's protobuf, not JSON: ui.perfetto.dev opens it, chrome://tracing does not (--format chrome-json writes JSON)", c.out)
		}
	case "":
		req.format = formatPerfetto
		if strings.HasSuffix(base, ".json") {
			req.format = formatJSON
		}
	case "json", "chrome", "trace-event":
		return nil, cli.Usagef("--format %s: did you mean chrome-json? (perfetto or chrome-json)", c.format)
	default:
		return nil, cli.Usagef("--format %s: unknown; use perfetto or chrome-json", c.format)
	}
	if c.out != "-" {
		if err := checkOutput(c.out); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// checkOutput refuses to write over a recording: an export named like
// the database by mistake must not destroy what it reads.
func checkOutput(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	if fi.IsDir() {
		return cli.Usagef("-o %s is a directory; name the trace file to write", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	if bytes.HasPrefix(head[:n], []byte("SQLite format 3")) || stream.IsStream(head[:n]) {
		return cli.Usagef("-o %s is a recording (or another database); export to a new file", path)
	}
	return nil
}

func (req *request) pidNote() string {
	if len(req.pids) == 0 {
		return ""
	}
	return " of --pid " + req.cfg.pids
}

func (req *request) windowNote() string {
	if req.cfg.window.Since == "" && req.cfg.window.From == "" && req.cfg.window.To == "" {
		return " in the recording"
	}
	return " in the window (relative times count back from the recording's newest event)"
}
