package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// flagsCommand is `runway flags`: feature flags of an app, per
// environment, through the server's API.
func (a *app) flagsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flags",
		Short: "Feature flags: list, create, change, turn on or off, kill, try; groups and flag keys",
		Long: "Feature flags of an app, one definition per environment. Team members change them outside production; " +
			"in production only team leads (and admins) do, and flags start off there. Anyone who answers for the team's releases may kill a flag. " +
			"Apps evaluate flags over OFREP (/ofrep/v1/evaluate/flags) with a flag key (runway flags keys create).",
	}
	cmd.AddCommand(a.flagsList(), a.flagsGet(), a.flagsCreate(), a.flagsUpdate(), a.flagsSwitch(true), a.flagsSwitch(false),
		a.flagsKill(), a.flagsHistory(), a.flagsTry(), a.flagGroupsCommand(), a.flagKeysCommand())
	return cmd
}

// flagPath is the API path of one flag.
func flagPath(app, env, key string) string {
	return "/api/v1/apps/" + urlPath(app) + "/flags/" + urlPath(env) + "/" + urlPath(key)
}

func (a *app) flagsList() *cobra.Command {
	var env string
	cmd := &cobra.Command{Use: "list APP [--env ENV]", Short: "List an app's flags", Args: exactArgs(1, "the app's name")}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&env, "env", "", "only this environment's flags (sandbox, staging or production)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.Flag]
		if err := c.do(cmd.Context(), "GET", "/api/v1/apps/"+urlPath(args[0])+"/flags"+query("environment", env), nil, &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		if len(p.Items) == 0 {
			fmt.Fprintf(a.out, "%s has no flags yet. Create one with `runway flags create %s -f FLAG.json`.\n", args[0], args[0])
			return nil
		}
		return printFlags(a.out, p.Items)
	}
	return cmd
}

func (a *app) flagsGet() *cobra.Command {
	cmd := &cobra.Command{Use: "get APP ENV KEY", Short: "Show a flag: its variants, rules and state", Args: exactArgs(3, "the app, the environment and the flag's key")}
	output := outputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var f runway.Flag
		if err := c.do(cmd.Context(), "GET", flagPath(args[0], args[1], args[2]), nil, &f); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(f)
		}
		printFlag(a.out, &f)
		return nil
	}
	return cmd
}

// readDefinition reads a JSON file (or standard input for "-"), at most
// flags.MaxSpecBytes.
func (a *app) readDefinition(file string) ([]byte, error) {
	r := a.in
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, runway.Errorf(runway.EINVALID, "cannot read %s: %v", file, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, flags.MaxSpecBytes+1))
	if err != nil {
		return nil, runway.Errorf(runway.EINVALID, "cannot read %s: %v", file, err)
	}
	if !json.Valid(data) {
		return nil, runway.Errorf(runway.EINVALID, "%s is not JSON: a flag is written as a JSON object such as {\"key\": \"new-checkout\", \"type\": \"boolean\"}", file)
	}
	return data, nil
}

func (a *app) flagsCreate() *cobra.Command {
	var file string
	var envs []string
	cmd := &cobra.Command{
		Use:   "create APP -f FILE [--env ENV]...",
		Short: "Create a flag from a JSON definition, in some or every environment",
		Long: "Create a flag from a JSON definition ({\"key\": \"new-checkout\", \"type\": \"boolean\"} is enough for an on/off flag; " +
			"see the FlagSpec schema at /api/v1/openapi.json for variants, rules and rollouts). Without --env it is created in every environment. " +
			"In production it always starts off until a team lead turns it on.",
		Args: exactArgs(1, "the app's name"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVarP(&file, "file", "f", "", "the flag's definition, JSON (- for standard input)")
	cmd.Flags().StringSliceVar(&envs, "env", nil, "an environment to create it in (repeatable; default: every environment)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if file == "" {
			return usageError(cmd, "Give the flag's definition with -f FILE.")
		}
		data, err := a.readDefinition(file)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		kv := []string{}
		for _, e := range envs {
			kv = append(kv, "environment", e)
		}
		var p page[runway.Flag]
		path := "/api/v1/apps/" + urlPath(args[0]) + "/flags" + queryMulti(kv...)
		if err := c.send(cmd.Context(), "POST", path, "application/json", bytes.NewReader(data), &p); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(p)
		}
		var where []string
		for _, f := range p.Items {
			where = append(where, fmt.Sprintf("%s (%s)", f.Environment, flagState(&f)))
		}
		fmt.Fprintf(a.out, "Created flag %s of %s in %s.\n", p.Items[0].Key, args[0], strings.Join(where, ", "))
		for _, f := range p.Items {
			if f.Environment == runway.EnvProduction && !f.Enabled {
				fmt.Fprintf(a.out, "In production it is off until a team lead turns it on: runway flags on %s production %s\n", args[0], f.Key)
			}
		}
		return nil
	}
	return cmd
}

// queryMulti builds a query string that may repeat a name.
func queryMulti(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, query(kv[i], kv[i+1])[1:])
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

func (a *app) flagsUpdate() *cobra.Command {
	var file string
	var version int64
	cmd := &cobra.Command{
		Use:   "update APP ENV KEY -f FILE --version N",
		Short: "Replace a flag's definition, if nobody changed it since the version you edited",
		Long: "Replace a flag's definition in one environment. --version is the version you edited (runway flags get shows it): " +
			"if someone changed the flag since, nothing is changed and you are told. Its key and type stay; leave \"enabled\" out to keep it on or off.",
		Args: exactArgs(3, "the app, the environment and the flag's key"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVarP(&file, "file", "f", "", "the flag's new definition, JSON (- for standard input)")
	cmd.Flags().Int64Var(&version, "version", 0, "the version you edited (required)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if file == "" || version < 1 {
			return usageError(cmd, "Give the new definition with -f FILE and the version you edited with --version N (runway flags get shows it).")
		}
		data, err := a.readDefinition(file)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var f runway.Flag
		path := flagPath(args[0], args[1], args[2]) + query("version", strconv.FormatInt(version, 10))
		if err := c.send(cmd.Context(), "PUT", path, "application/json", bytes.NewReader(data), &f); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(f)
		}
		fmt.Fprintf(a.out, "Updated flag %s of %s in %s: version %d, %s.\n", f.Key, f.App, f.Environment, f.Version, flagState(&f))
		return nil
	}
	return cmd
}

func (a *app) flagsSwitch(on bool) *cobra.Command {
	verb, state := "off", "off"
	if on {
		verb, state = "on", "on"
	}
	cmd := &cobra.Command{Use: verb + " APP ENV KEY", Short: "Turn a flag " + verb + " in one environment", Args: exactArgs(3, "the app, the environment and the flag's key")}
	output := outputFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var f runway.Flag
		if err := c.do(cmd.Context(), "POST", flagPath(args[0], args[1], args[2])+"/"+verb, nil, &f); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(f)
		}
		fmt.Fprintf(a.out, "Flag %s of %s is %s in %s (version %d). Apps see it within a second.\n", f.Key, f.App, state, f.Environment, f.Version)
		return nil
	}
	return cmd
}

func (a *app) flagsKill() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "kill APP ENV KEY --reason TEXT",
		Short: "Pull a flag's kill switch: off for everyone at once",
		Long:  "Turn a flag off for everyone in one environment at once, whatever its rules, and record why. The app's team, security and platform may; turn it on again with `runway flags on`.",
		Args:  exactArgs(3, "the app, the environment and the flag's key"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required; the team reads it)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var f runway.Flag
		if err := c.do(cmd.Context(), "POST", flagPath(args[0], args[1], args[2])+"/kill", map[string]string{"reason": reason}, &f); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(f)
		}
		fmt.Fprintf(a.out, "Killed flag %s of %s in %s: everyone gets %q within a second.\nOnce it is fixed: runway flags on %s %s %s\n", f.Key, f.App, f.Environment, f.OffVariant, f.App, f.Environment, f.Key)
		return nil
	}
	return cmd
}

func (a *app) flagsHistory() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{Use: "history APP ENV KEY", Short: "Who changed a flag, when and how, oldest first", Args: exactArgs(3, "the app, the environment and the flag's key")}
	f.add(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.client()
		if err != nil {
			return err
		}
		var p page[runway.AuditEntry]
		if err := c.do(cmd.Context(), "GET", flagPath(args[0], args[1], args[2])+"/history"+f.query(), nil, &p); err != nil {
			return err
		}
		return printPage(a, cmd, &f, p, "SEQ\tWHEN\tWHO\tVERSION\tWHAT", flagChange)
	}
	return cmd
}

func (a *app) flagsTry() *cobra.Command {
	var targeting, contextJSON string
	var attrs []string
	cmd := &cobra.Command{
		Use:   "try APP ENV KEY [--targeting-key K] [--attr NAME=VALUE]... [--context JSON]",
		Short: "See what someone gets from a flag, as the app would",
		Args:  exactArgs(3, "the app, the environment and the flag's key"),
	}
	output := outputFlag(cmd)
	cmd.Flags().StringVar(&targeting, "targeting-key", "", "who is asking: a user id or email (percentage rollouts need it)")
	cmd.Flags().StringArrayVar(&attrs, "attr", nil, "an attribute of the context, NAME=VALUE (repeatable; values are text)")
	cmd.Flags().StringVar(&contextJSON, "context", "", "the whole evaluation context as a JSON object, for numbers and lists")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		evalCtx := map[string]any{}
		if contextJSON != "" {
			if err := json.Unmarshal([]byte(contextJSON), &evalCtx); err != nil {
				return usageError(cmd, "--context must be a JSON object, such as {\"plan\": \"pro\", \"seats\": 12}.")
			}
		}
		for _, kv := range attrs {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return usageError(cmd, fmt.Sprintf("--attr %q: write NAME=VALUE, such as email=ana@example.com.", kv))
			}
			evalCtx[k] = v
		}
		if targeting != "" {
			evalCtx[flags.TargetingKey] = targeting
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		var e flags.Evaluation
		if err := c.do(cmd.Context(), "POST", flagPath(args[0], args[1], args[2])+"/evaluate", map[string]any{"context": evalCtx}, &e); err != nil {
			return err
		}
		if *output == "json" {
			return a.printJSON(e)
		}
		who := targeting
		if who == "" {
			who = "This context"
		}
		fmt.Fprintln(a.out, flags.EvaluationWords(who, &e))
		return nil
	}
	return cmd
}
