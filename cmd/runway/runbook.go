package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// runbookCommand is `runway runbook APP`: the runbook of the app's
// deployment in an environment, in Markdown.
func (a *app) runbookCommand() *cobra.Command {
	var env string
	var id int64
	cmd := &cobra.Command{
		Use:   "runbook APP [--env ENV] [--deployment ID]",
		Short: "Print the runbook of an app's deployment: what runs, how to roll back, flags, owners, where to look, incidents",
		Long: "Prints, in Markdown, the runbook of the app's deployment in the environment (the one in its canary, else the live one, else the newest; " +
			"--deployment picks another, by the ID `runway status` shows). The same runbook is on the deployment's web page.",
		Args: exactArgs(1, "the app's name"),
	}
	cmd.Flags().StringVar(&env, "env", string(runway.EnvProduction), "the environment: sandbox, staging or production")
	cmd.Flags().Int64Var(&id, "deployment", 0, "the deployment's ID (default: the one in its canary, else the live one, else the newest in --env)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		if id == 0 {
			d, err := deploymentIn(cmd.Context(), c, args[0], env)
			if err != nil {
				return err
			}
			id = d.ID
		}
		var md string
		if err := c.do(cmd.Context(), "GET", "/api/v1/deployments/"+strconv.FormatInt(id, 10)+"/runbook", nil, &md); err != nil {
			return err
		}
		fmt.Fprint(a.out, md)
		return nil
	}
	return cmd
}
