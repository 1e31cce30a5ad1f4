package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

func (a *app) teamsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "teams", Short: "List and create teams"}
	var f listFlags
	list := &cobra.Command{
		Use: "list", Short: "List teams", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			var p page[runway.Team]
			if err := c.do(cmd.Context(), "GET", "/api/v1/teams"+f.query(), nil, &p); err != nil {
				return err
			}
			return printPage(a, cmd, &f, p, "TEAM\tNAME", func(t runway.Team) string { return t.Name + "\t" + t.DisplayName })
		},
	}
	f.add(list)
	var display string
	create := &cobra.Command{Use: "create NAME", Short: "Create a team (platform, admin)", Args: exactArgs(1, "the team's name")}
	output := outputFlag(create)
	create.Flags().StringVar(&display, "display-name", "", "the name people read, such as \"Finance team\"")
	create.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var t runway.Team
		if err := c.do(cmd.Context(), "POST", "/api/v1/teams", map[string]string{"name": args[0], "display_name": display}, &t); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(t)
		}
		fmt.Fprintf(a.out, "Created team %s.\n", t.Name)
		return nil
	}
	cmd.AddCommand(list, create)
	return cmd
}

func (a *app) tokensCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "tokens", Short: "Create and revoke your API tokens"}
	var scopes []string
	var days int
	create := &cobra.Command{
		Use: "create NAME", Short: "Create a token for yourself (shown once)", Args: exactArgs(1, "a name saying what the token is for, such as ci"),
	}
	output := outputFlag(create)
	create.Flags().StringSliceVar(&scopes, "scope", nil, "limit the token to read, submit or admin (repeatable); default: what you may do")
	create.Flags().IntVar(&days, "days", 90, "days until the token expires (at most 365)")
	create.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var t struct {
			runway.Token
			Secret string `json:"secret"`
		}
		if err := c.do(cmd.Context(), "POST", "/api/v1/tokens", map[string]any{"name": args[0], "scopes": scopes, "expires_in_days": days}, &t); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(t)
		}
		fmt.Fprintf(a.out, "Token %d (%s), expires %s. This is the only time it is shown:\n\n    %s\n\nStore it in your CI's secret store as RUNWAY_TOKEN.\n", t.ID, t.Name, stamp(t.ExpiresAt), t.Secret)
		return nil
	}
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke one of your tokens", Args: exactArgs(1, "the token's id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			if err := c.do(cmd.Context(), "DELETE", "/api/v1/tokens/"+urlPath(args[0]), nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Revoked token %s.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, revoke)
	return cmd
}
