package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// rollbackCommand is `runway rollback APP`: all the traffic of the
// deployment in its canary goes back to the stable version at once.
func (a *app) rollbackCommand() *cobra.Command {
	var env, reason string
	cmd := &cobra.Command{
		Use:   "rollback APP [--env production] --reason TEXT",
		Short: "Roll back the deployment in its canary: all the traffic back to the version before, at once",
		Long: "Rolls back the app's deployment that is in its canary in the environment: all the traffic goes back to the stable version at once, " +
			"the new version is stopped, and the app's owners are told, with your reason. Developers and team leads of the app's team (and admins) may. " +
			"A live version has no canary to stop: the answer says how to go back from it.",
		Args: exactArgs(1, "the app's name"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&env, "env", string(runway.EnvProduction), "the environment: sandbox, staging or production")
	cmd.Flags().StringVar(&reason, "reason", "", "why, in a sentence (required): the owners and the audit trail read it")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if strings.TrimSpace(reason) == "" {
			return usageError(cmd, `Say why: --reason "what you saw".`)
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		d, err := deploymentIn(cmd.Context(), c, args[0], env)
		if err != nil {
			return err
		}
		var out runway.Deployment
		if err := c.do(cmd.Context(), "POST", fmt.Sprintf("/api/v1/deployments/%d/rollback", d.ID), map[string]string{"reason": reason}, &out); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(out)
		}
		fmt.Fprintf(a.out, "Rolled back deployment %d: all the traffic of %s in %s is on %s again, and %s is stopped.\n%s\n",
			out.ID, out.App, out.Environment, out.Stable, out.Version(), out.Reason)
		fmt.Fprintf(a.out, "The owners are told. The runbook: `runway runbook %s --env %s`.\n", out.App, out.Environment)
		return nil
	}
	return cmd
}

// deploymentIn returns the app's deployment in env that people act on:
// the one in its canary, else the live one, else the newest there.
func deploymentIn(ctx context.Context, c *apiClient, app, env string) (*runway.Deployment, error) {
	var p page[runway.Deployment]
	if err := c.do(ctx, "GET", "/api/v1/apps/"+urlPath(app)+"/deployments?limit=100", nil, &p); err != nil {
		return nil, err
	}
	var live, newest *runway.Deployment
	for i := range p.Items {
		d := &p.Items[i]
		switch {
		case string(d.Environment) != env:
		case d.State == runway.DeploymentCanary:
			return d, nil
		case d.State == runway.DeploymentLive && live == nil:
			live = d
		case newest == nil:
			newest = d
		}
	}
	switch {
	case live != nil:
		return live, nil
	case newest != nil:
		return newest, nil
	}
	return nil, runway.Errorf(runway.ENOTFOUND, "%s has no deployment in %s: `runway status %s` lists where it runs", app, env, app)
}
