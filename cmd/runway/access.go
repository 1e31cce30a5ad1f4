package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

func (a *app) accessCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "access", Short: "Ask for, approve and revoke time-limited elevated access"}
	var role, team, appName, reason string
	var hours float64
	request := &cobra.Command{Use: "request --role ROLE [--team T | --app A] --hours N --reason TEXT", Short: "Ask for a role for a few hours", Args: cobra.NoArgs}
	reqOut := outputFlag(request)
	request.Flags().StringVar(&role, "role", "", "developer, team-lead, security, platform or admin")
	request.Flags().StringVar(&team, "team", "", "the team, for developer and team-lead")
	request.Flags().StringVar(&appName, "app", "", "the app you need it for (its team is used)")
	request.Flags().Float64Var(&hours, "hours", 4, "how long, at most 72")
	request.Flags().StringVar(&reason, "reason", "", "why you need it (required)")
	request.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var g runway.AccessGrant
		if err := c.do(cmd.Context(), "POST", "/api/v1/access", map[string]any{"role": role, "team": team, "app": appName, "hours": hours, "reason": reason}, &g); err != nil {
			return err
		}
		if *reqOut == "json" {
			return a.printJSON(g)
		}
		fmt.Fprintf(a.out, "Access request %d: %s%s for %s. Someone who may approve it runs `runway access approve %d`.\n", g.ID, g.Role, onTeam(g.Team), g.Duration, g.ID)
		return nil
	}
	var f listFlags
	var state string
	list := &cobra.Command{
		Use: "list", Short: "List access requests (yours, or all for those who approve)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			var p page[runway.AccessGrant]
			if err := c.do(cmd.Context(), "GET", "/api/v1/access"+f.query("state", state), nil, &p); err != nil {
				return err
			}
			return printPage(a, cmd, &f, p, "ID\tWHO\tROLE\tTEAM\tSTATE\tUNTIL\tREASON", func(g runway.AccessGrant) string {
				until := ""
				if g.ExpiresAt != nil {
					until = stamp(*g.ExpiresAt)
				}
				return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t%s", g.ID, strings.TrimPrefix(g.User, "user:"), g.Role, g.Team, g.State, until, g.Reason)
			})
		},
	}
	f.add(list)
	list.Flags().StringVar(&state, "state", "", "requested, active, rejected, expired or revoked")
	cmd.AddCommand(request, list, a.accessDecision("approve"), a.accessDecision("reject"), a.accessDecision("revoke"))
	return cmd
}

func (a *app) accessDecision(verb string) *cobra.Command {
	var reason string
	cmd := &cobra.Command{Use: verb + " ID", Short: strings.ToUpper(verb[:1]) + verb[1:] + " an access request", Args: exactArgs(1, "the request's id")}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required to reject)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var g runway.AccessGrant
		if err := c.do(cmd.Context(), "POST", "/api/v1/access/"+urlPath(args[0])+"/"+verb, map[string]any{"reason": reason}, &g); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Access request %d is %s.\n", g.ID, g.State)
		if g.ExpiresAt != nil && g.State == runway.GrantActive {
			fmt.Fprintf(a.out, "It ends by itself at %s.\n", stamp(*g.ExpiresAt))
		}
		return nil
	}
	return cmd
}

func onTeam(team string) string {
	if team == "" {
		return ""
	}
	return " on team " + team
}
