package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"ingero.dev/common/cli"
)

// dispatch picks the command the way busybox does: the basename of argv[0]
// ("ingero-explain" or "explain" as a symlink), then argv[1], then help.
func dispatch(argv []string, stdio cli.Stdio) int {
	if len(argv) > 0 {
		base := strings.TrimPrefix(filepath.Base(argv[0]), "ingero-")
		if code, ok := runNamed(base, argv[1:], stdio); ok {
			return code
		}
	}
	if len(argv) < 2 {
		listCommands(stdio)
		return cli.ExitOK
	}
	name, rest := argv[1], argv[2:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return dispatch([]string{"ingero", rest[0], "--help"}, stdio)
		}
		listCommands(stdio)
		return cli.ExitOK
	case "--version", "-version":
		return dispatch([]string{"ingero", "version"}, stdio)
	}
	if code, ok := runNamed(name, rest, stdio); ok {
		return code
	}
	msg := fmt.Sprintf("ingero: unknown command %q", name)
	if near := cli.Closest(name, names()); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(stdio.Err, "%s (run 'ingero help' for the list)\n", msg)
	return cli.ExitUsage
}

func runNamed(name string, args []string, stdio cli.Stdio) (int, bool) {
	if name == "version" {
		fmt.Fprintln(stdio.Out, cli.VersionString())
		return cli.ExitOK, true
	}
	for _, c := range commands {
		if c.name == name {
			return cli.Run(c.new(stdio), args, stdio), true
		}
	}
	return 0, false
}

func names() []string {
	out := []string{"version", "help"}
	for _, c := range commands {
		out = append(out, c.name)
	}
	return out
}

func listCommands(stdio cli.Stdio) {
	fmt.Fprintln(stdio.Out, "ingero finds why a GPU workload is slow: eBPF traces of CUDA and the host, explained.")
	fmt.Fprintln(stdio.Out, "\nUsage: ingero <command> [flags]   (or run a command as ingero-<command>)")
	fmt.Fprintln(stdio.Out, "\nCommands:")
	tw := tabwriter.NewWriter(stdio.Out, 0, 2, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.new(stdio).ShortHelp)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "version", "Print the version, commit and build date")
	tw.Flush()
	fmt.Fprintln(stdio.Out, "\nRun 'ingero <command> --help' for a command's flags.")
}
