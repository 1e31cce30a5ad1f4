package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// deployCommand is `runway deploy APP`: the app's newest candidate to its
// sandbox, which nobody needs to approve.
func (a *app) deployCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "deploy APP", Short: "Run the app's newest candidate in its sandbox (no approval needed)", Args: exactArgs(1, "the app's name")}
	output := outputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p runway.Promotion
		if err := c.do(cmd.Context(), "POST", "/api/v1/apps/"+urlPath(args[0])+"/promotions", map[string]any{"environment": runway.EnvSandbox}, &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		printPromotion(a.out, &p)
		fmt.Fprintf(a.out, "Follow it with `runway status %s`.\n", args[0])
		return nil
	}
	return cmd
}

// statusCommand is `runway status APP`: the app's deployments, newest
// first, with where each stands and why.
func (a *app) statusCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{Use: "status APP", Short: "Show an app's deployments: what runs where, canary progress, and why", Args: exactArgs(1, "the app's name")}
	f.add(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.Deployment]
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/deployments"+f.query(), nil, &p); err != nil {
			return err
		}
		return printPage(a, cmd, &f, p, "ID\tENVIRONMENT\tVERSION\tSTATE\tTRAFFIC\tWHY", func(d runway.Deployment) string {
			return fmt.Sprintf("%d\t%s\t%s\t%s\t%d%%\t%s", d.ID, d.Environment, d.Version(), d.State, d.Weight, d.Reason)
		})
	}
	return cmd
}
