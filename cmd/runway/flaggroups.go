package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
)

// flagGroupsCommand is `runway flags groups`: named sets of people an
// app's flags target, shared by every environment.
func (a *app) flagGroupsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "groups", Short: "An app's flag groups: named sets of people that rules target (in_group)"}
	list := &cobra.Command{Use: "list APP", Short: "List an app's groups", Args: exactArgs(1, "the app's name")}
	listOut := outputFlag(list)
	list.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.FlagGroup]
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/flag-groups", nil, &p); err != nil {
			return err
		}
		if *listOut == "json" {
			return a.printJSON(p)
		}
		return printGroups(a.out, p.Items)
	}
	show := &cobra.Command{Use: "show APP NAME", Short: "Show who is in a group", Args: exactArgs(2, "the app's name and the group's name")}
	showOut := outputFlag(show)
	show.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var g runway.FlagGroup
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/flag-groups/"+urlPath(args[1]), nil, &g); err != nil {
			return err
		}
		if *showOut == "json" {
			return a.printJSON(g)
		}
		printGroup(a.out, &g)
		return nil
	}
	var file string
	set := &cobra.Command{
		Use:   "set APP NAME -f FILE",
		Short: "Create or replace a group from JSON: {\"keys\": [...], \"conditions\": [...], \"description\": \"...\"}",
		Long: "Create or replace a group. Its members are the targeting keys listed in \"keys\", and everyone whose context matches all of its " +
			"\"conditions\". A group a production flag uses changes who gets what in production, so only team leads may change it.",
		Args: exactArgs(2, "the app's name and the group's name"),
	}
	set.Flags().StringVarP(&file, "file", "f", "", "the group, JSON (- for standard input)")
	set.RunE = func(cmd *cobra.Command, args []string) error {
		if file == "" {
			return usageError(cmd, "Give the group with -f FILE.")
		}
		data, err := a.readDefinition(file)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var g runway.FlagGroup
		if err := c.send(cmd.Context(), "PUT", "/api/v1/apps/"+urlPath(args[0])+"/flag-groups/"+urlPath(args[1]), "application/json", bytes.NewReader(data), &g); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Saved group %s of %s: %s.\n", g.Name, g.App, groupSize(&g))
		return nil
	}
	cmd.AddCommand(list, show, set)
	return cmd
}

// flagKeysCommand is `runway flags keys`: the keys an app's code
// evaluates flags with, one environment each.
func (a *app) flagKeysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Flag keys: what an app's code sends to evaluate its flags over OFREP, one environment each"}
	list := &cobra.Command{Use: "list APP", Short: "List an app's flag keys (never their secrets)", Args: exactArgs(1, "the app's name")}
	listOut := outputFlag(list)
	list.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.FlagKey]
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/flag-keys", nil, &p); err != nil {
			return err
		}
		if *listOut == "json" {
			return a.printJSON(p)
		}
		return printFlagKeys(a.out, p.Items)
	}
	create := &cobra.Command{Use: "create APP ENV NAME", Short: "Make a flag key for the app's code in one environment (shown once)", Args: exactArgs(3, "the app, the environment and a name saying where the key is used")}
	createOut := outputFlag(create)
	create.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var k struct {
			runway.FlagKey
			Secret string `json:"secret"`
		}
		if err := c.do(cmd.Context(), "POST", "/api/v1/apps/"+urlPath(args[0])+"/flag-keys", map[string]string{"environment": args[1], "name": args[2]}, &k); err != nil {
			return err
		}
		if *createOut == "json" {
			return a.printJSON(k)
		}
		fmt.Fprintf(a.out, "Flag key %d (%s) of %s for %s. This is the only time it is shown:\n\n    %s\n\n"+
			"Give it to the app as a secret, never in its repository: runway secrets set %s FLAG_KEY --env %s (paste it when asked).\n"+
			"The app sends it as \"Authorization: Bearer KEY\" to %s/ofrep/v1/evaluate/flags.\n",
			k.ID, k.Name, k.App, k.Environment, k.Secret, k.App, k.Environment, c.base)
		return nil
	}
	revoke := &cobra.Command{Use: "revoke APP ID", Short: "Revoke a flag key: evaluations with it are refused within a second", Args: exactArgs(2, "the app's name and the key's id")}
	revoke.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		if err := c.do(cmd.Context(), "DELETE", "/api/v1/apps/"+urlPath(args[0])+"/flag-keys/"+urlPath(args[1]), nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Revoked flag key %s of %s: evaluations with it are refused within a second.\n", args[1], args[0])
		return nil
	}
	cmd.AddCommand(list, create, revoke)
	return cmd
}

// groupSize says who is in a group, in words.
func groupSize(g *runway.FlagGroup) string {
	var parts []string
	if n := len(g.Keys); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, "person listed", "people listed")))
	}
	if n := len(g.Conditions); n > 0 {
		parts = append(parts, "everyone whose context matches "+plural(n, "its condition", fmt.Sprintf("all %d of its conditions", n)))
	}
	if len(parts) == 0 {
		return "nobody yet"
	}
	return strings.Join(parts, ", and ")
}
