package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway/connector"
	"github.com/runwayhq/runway/telemetry"
)

// connectorCommand is `runway connector`: a connector's examples and runs.
func (a *app) connectorCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connector",
		Short: "Test a connector on its examples, list its runs and replay failed ones",
	}
	cmd.AddCommand(a.connectorTestCommand(), a.connectorRunsCommand(), a.connectorShowCommand(), a.connectorReplayCommand())
	return cmd
}

func (a *app) connectorTestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run the connector's examples (tests/*.yaml) against recording stubs",
		Long: "Run each example in DIR/tests (default: the current folder) against recording stubs: every call the connector makes " +
			"is recorded and answered as the example says, none reaches a real service, and no secret is needed. " +
			"Exit codes: 0 every example passed, 1 one failed, 2 the connector or an example has problems.",
		Args: maxOneFolder,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := folder(args)
			c, err := loadConnector(dir)
			if err != nil {
				return err
			}
			files, err := connector.ExampleFiles(dir)
			if err != nil {
				return err
			}
			var results []connector.Result
			for _, f := range files {
				ex, err := connector.LoadExample(dir, f, c)
				if err != nil {
					return fileError(err)
				}
				results = append(results, c.Test(cmd.Context(), ex))
			}
			if len(files) == 0 {
				fmt.Fprintf(a.out, "There are no examples in %s: add one (README.md shows how).\n", filepath.Join(dir, connector.ExamplesDir))
			}
			if _, failed := connector.WriteResults(a.out, results); failed > 0 {
				a.exit = exitBlocked
			}
			return nil
		},
	}
}

func (a *app) connectorRunsCommand() *cobra.Command {
	var dead bool
	var limit int
	var output string
	cmd := &cobra.Command{
		Use:   "runs [DIR]",
		Short: "List the connector's recent runs (from `runway dev`), or with --dead the failed ones to replay",
		Args:  maxOneFolder,
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, err := runStore(folder(args)).FindRuns(cmd.Context(), connector.RunFilter{Dead: dead, Limit: limit})
			if err != nil {
				return err
			}
			if output == "json" {
				return writeIndented(a, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(a.out, "No runs yet.")
				return nil
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTARTED\tTRIGGER\tSTATUS\tTIME")
			for _, r := range runs {
				status := string(r.Status)
				if r.Dead() {
					status += " (replay with `runway connector replay " + r.ID + "`)"
				} else if r.ReplayedBy != "" {
					status += " (replayed by " + r.ReplayedBy + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d ms\n", r.ID, r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.Trigger, status, r.DurationMS)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&dead, "dead", false, "only the failed runs not replayed yet (the dead letters)")
	cmd.Flags().IntVar(&limit, "limit", 50, "the most runs to list")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func (a *app) connectorShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show RUN [DIR]",
		Short: "Show a run: its input, each step's calls and output, the answer and the log (secrets redacted)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := runStore(folder(args[1:])).FindRun(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return writeIndented(a, r)
		},
	}
}

func (a *app) connectorReplayCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "replay RUN [DIR]",
		Short: "Run a failed run's input again with the real integrations",
		Long: "Run the input of run RUN again, with the real integrations and the secrets from the environment as `runway dev` does. " +
			"The calls keep the first run's idempotency keys, so services that honour them do not act twice. " +
			"Exit codes: 0 the replay succeeded, 1 it failed again.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := folder(args[1:])
			c, err := loadConnector(dir)
			if err != nil {
				return err
			}
			e, err := a.engine(dir, c, &telemetry.Tracing{})
			if err != nil {
				return err
			}
			defer e.Close()
			r, err := e.Replay(context.WithoutCancel(cmd.Context()), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Run %s replayed %s: %s%s.\n", r.ID, args[0], r.Status, errorSuffix(r.Error))
			if r.Status != connector.RunOK {
				a.exit = exitBlocked
			}
			return nil
		},
	}
}

func errorSuffix(msg string) string {
	if msg == "" {
		return ""
	}
	return " (" + msg + ")"
}

func runStore(dir string) *connector.DirStore {
	return &connector.DirStore{Dir: filepath.Join(dir, ".runway", "runs")}
}

func writeIndented(a *app, v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
