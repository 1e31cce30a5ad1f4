package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// loginCommand is `runway login`: keep a token for the server in RUNWAY_URL.
func (a *app) loginCommand() *cobra.Command {
	var output *string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to the Runway server in RUNWAY_URL with an API token",
		Long: "Sign in to the Runway server named by RUNWAY_URL (or client.url in the config). Paste an API token " +
			"(make one on the web UI, or ask an admin); Runway checks it with the server and keeps it in your config folder, readable only by you.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.terminal(a.in) {
				fmt.Fprint(a.err, "Paste your Runway token and press Enter: ")
			}
			line, err := bufio.NewReader(a.in).ReadString('\n')
			token := strings.TrimSpace(line)
			if token == "" {
				return runway.Errorf(runway.EINVALID, "no token given: paste the token (it starts with %s) and press Enter", runway.TokenPrefix)
			}
			if err != nil && line == "" {
				return err
			}
			a.cfg.Client.Token = token
			c, err := a.client()
			if err != nil {
				return err
			}
			var me struct {
				User runway.User `json:"user"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/me", nil, &me); err != nil {
				return err
			}
			if err := writeCredentials(a.cfg.Client.CredentialsFile, c.base, token); err != nil {
				return err
			}
			if *output == "json" {
				return a.printJSON(map[string]any{"url": c.base, "user": me.User})
			}
			fmt.Fprintf(a.out, "Signed in to %s as %s.\n", c.base, me.User.Email)
			return nil
		},
	}
	output = outputFlag(cmd)
	return cmd
}
