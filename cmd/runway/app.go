package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/config"
)

// Exit codes, shared by every command (DESIGN.md, `runway check`).
const (
	exitOK       = 0 // pass or needs approval
	exitBlocked  = 1 // the gate blocks
	exitUsage    = 2 // usage or configuration error
	exitInternal = 3 // internal error
	exitSignal   = 130
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// stdio are the command's streams.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// app is what every command shares: the streams, the configuration and
// how to tell a terminal.
type app struct {
	stdio
	environ []string
	// terminal reports whether a stream is an interactive terminal; tests
	// replace it.
	terminal func(stream any) bool
	cfg      config.Config
	// configFile is the --config flag.
	configFile string
	// exit is the code a command asks for without an error (a blocked
	// check).
	exit int
	// started is set once the command line parsed and a command began:
	// errors before that are usage errors, whatever their type.
	started bool
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, io stdio, environ []string) int {
	a := &app{stdio: io, environ: environ, terminal: isTerminal}
	return a.execute(ctx, args)
}

func (a *app) execute(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.err)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return a.exit
	case ctx.Err() != nil:
		fmt.Fprintln(a.err, "Stopped.")
		return exitSignal
	case !a.started && runway.ErrorCode(err) == runway.EINTERNAL:
		fmt.Fprintf(a.err, "Error: %v\nRun `runway --help` for usage.\n", err)
		return exitUsage
	default:
		fmt.Fprintln(a.err, errorText(err))
		return exitCode(err)
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "runway",
		Short: "Ship small internal web apps to production safely",
		Long: "Runway takes a micro app from a curated template to production: " +
			"`runway new` starts one, `runway check` runs the same checks as CI.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.started = true
			return a.loadConfig()
		},
	}
	root.PersistentFlags().StringVar(&a.configFile, "config", "", "config file (default: RUNWAY_CONFIG, then the user config folder's runway/config.yaml)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, err.Error())
	})
	root.AddCommand(
		a.checkCommand(),
		a.newCommand(),
		a.templatesCommand(),
		a.schemaCommand(),
		a.versionCommand(),
		a.dbCommand(),
		a.policyCommand(),
		a.upCommand(),
		a.loginCommand(),
		a.appsCommand(),
		a.candidatesCommand(),
		a.teamsCommand(),
		a.tokensCommand(),
		a.auditCommand(),
		a.submitCommand(),
		a.promoteCommand(),
		a.deployCommand(),
		a.statusCommand(),
		a.rollbackCommand(),
		a.logsCommand(),
		a.runbookCommand(),
		a.approvalsCommand(),
		a.accessCommand(),
		a.devCommand(),
		a.connectorCommand(),
		a.flagsCommand(),
		a.secretsCommand(),
	)
	return root
}

func (a *app) loadConfig() error {
	cfg, err := config.Load(config.Sources{Environ: a.environ, File: a.configFile})
	a.cfg = cfg
	return err
}

// usageError is an EINVALID error that points at the command's help.
func usageError(cmd *cobra.Command, msg string) error {
	return runway.Errorf(runway.EINVALID, "%s\nRun `%s --help` for usage.", msg, cmd.CommandPath())
}

// exactArgs is cobra.ExactArgs with a plain-language error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError(cmd, fmt.Sprintf("%s expects %s.", cmd.CommandPath(), what))
		}
		return nil
	}
}

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	switch runway.ErrorCode(err) {
	case runway.EINVALID, runway.ENOTFOUND, runway.ECONFLICT:
		return exitUsage
	case runway.EPOLICY:
		return exitBlocked
	default:
		return exitInternal
	}
}

// errorText is what the person at the terminal reads.
func errorText(err error) string {
	var e *runway.Error
	if errors.As(err, &e) {
		return "Error: " + strings.TrimSpace(e.Error())
	}
	return "Internal error: " + err.Error() + "\nThis is a bug in Runway; please report it with the command you ran."
}

// isTerminal reports whether the stream is an interactive terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColor decides whether text output to w gets colours.
func (a *app) useColor(w io.Writer, flag string) bool {
	mode := a.cfg.Color
	if flag != "" {
		mode = flag
	}
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return !a.cfg.NoColor && a.terminal(w)
}
