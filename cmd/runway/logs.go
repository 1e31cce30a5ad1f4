package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// logsCommand is `runway logs APP`: the end of a version's log, as the
// platform's runtime kept it, secrets redacted.
func (a *app) logsCommand() *cobra.Command {
	var env, version string
	var lines int
	cmd := &cobra.Command{
		Use:   "logs APP [--env ENV] [--version cN] [--lines N]",
		Short: "Show the end of an app's log in an environment (secrets redacted)",
		Long: "Shows the last lines of the log of the app's version in the environment: its output and what the platform did " +
			"(start, health checks, restarts), with secret values redacted. Without --version, the newest version running there " +
			"(a canary before the live version). Members of the app's team, security, platform and admins may.",
		Args: exactArgs(1, "the app's name"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&env, "env", string(runway.EnvProduction), "the environment: sandbox, staging or production")
	cmd.Flags().StringVar(&version, "version", "", "the version, as `runway status` shows it (c3)")
	cmd.Flags().IntVar(&lines, "lines", 200, "how many lines, from the end (1-10000)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var l struct {
			App         string             `json:"app"`
			Environment runway.Environment `json:"environment"`
			Version     string             `json:"version"`
			Deployment  int64              `json:"deployment"`
			State       string             `json:"state"`
			Lines       int                `json:"lines"`
			Log         string             `json:"log"`
		}
		path := "/api/v1/apps/" + urlPath(args[0]) + "/logs" + query("environment", env, "version", version, "lines", strconv.Itoa(lines))
		if err := c.do(cmd.Context(), "GET", path, nil, &l); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(l)
		}
		// The heading goes to stderr, so that the log alone can be piped.
		fmt.Fprintf(a.err, "The log of %s %s in %s (deployment %d, %s), at most %d lines:\n", l.App, l.Version, l.Environment, l.Deployment, l.State, l.Lines)
		fmt.Fprint(a.out, l.Log)
		return nil
	}
	return cmd
}
