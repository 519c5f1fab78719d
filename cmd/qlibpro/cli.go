package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// usageError is a mistake in the command line: exit status 2 with usage on stderr.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string { return e.msg }

// env bundles what every command receives from main.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one sub-command of qlibpro.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (and, unless disabled, the feed and job workers)", cmdServe},
		{"migrate", "apply or roll back database migrations: up | down | down-to N | status | redo", cmdMigrate},
		{"seed", "load the shipped real ASX data (idempotent)", cmdSeed},
		{"feed", "run the market feed alone (leader-elected across machines)", cmdFeed},
		{"import", "upsert daily bars from Yahoo or ASX CSV exports", cmdImport},
		{"user", "manage accounts: create, set-role, disable", cmdUser},
		{"version", "print the version", cmdVersion},
		{"factors", "print Qlib factor values computed from daily bars as CSV", cmdFactors},
		{"train", "train, measure and store a ridge or XGBoost model on Alpha158", cmdTrain},
		{"signals", "score the instruments of a day with every active model", cmdSignals},
		{"backtest", "backtest a model's signals (TopK-Dropout) and print the metrics; CSVs with --out", cmdBacktest},
		{"quant", "quant upkeep: bootstrap | refresh | models", cmdQuant},
		{"backup", "dump the database to a file (pg_dump custom format, optionally age-encrypted)", cmdBackup},
		{"restore", "restore a backup into an empty database and check the ledger", cmdRestore},
	}
}

func topUsage() string {
	var b strings.Builder
	b.WriteString("Usage: qlibpro <command> [flags]\n\nCommands:\n")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'qlibpro <command> --help' for a command's flags. Configuration comes from the\nenvironment; see README.md for every variable.\n")
	return b.String()
}

// run is the whole program: main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return &usageError{msg: "no command given", usage: topUsage()}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, topUsage())
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, e, args[1:]); !errors.Is(err, errHelp) {
				return err
			}
			return nil
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), usage: topUsage()}
}

// newFlags builds a FlagSet whose errors come back to parse instead of being printed.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args; --help prints usage to stdout and returns errHelp.
func parse(e env, fs *flag.FlagSet, synopsis string, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, usageOf(fs, synopsis))
		return errHelp
	}
	if err != nil {
		return &usageError{msg: err.Error(), usage: usageOf(fs, synopsis)}
	}
	return nil
}

// errHelp ends a command successfully after --help.
var errHelp = errors.New("help shown")

func usageOf(fs *flag.FlagSet, synopsis string) string {
	var b strings.Builder
	b.WriteString(synopsis)
	if !strings.HasSuffix(synopsis, "\n") {
		b.WriteString("\n")
	}
	hasFlags := false
	fs.VisitAll(func(f *flag.Flag) {
		if !hasFlags {
			b.WriteString("\nFlags:\n")
			hasFlags = true
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(&b, "  --%-14s %s%s\n", f.Name, f.Usage, def)
	})
	return b.String()
}
