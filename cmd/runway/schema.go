package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway/schema"
)

// schemas are the published JSON Schemas, by the name `runway schema` takes.
var schemas = map[string][]byte{
	"manifest":  schema.Manifest,
	"config":    schema.Config,
	"report":    schema.CheckReport,
	"connector": schema.Connector,
}

func (a *app) schemaCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "schema [manifest|config|report|connector]",
		Short: "Print a JSON Schema: runway.yaml (default), the CLI config, the check report or connector.yaml",
		Long: "Print the JSON Schema (draft 2020-12) of runway.yaml, the CLI config file, the `runway check` JSON report or a connector's connector.yaml.\n\n" +
			"Editors use the manifest schema to complete and check runway.yaml: save it as runway.schema.json and add\n" +
			"`# yaml-language-server: $schema=runway.schema.json` at the top of runway.yaml.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError(cmd, "runway schema takes at most one name.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "manifest"
			if len(args) == 1 {
				name = args[0]
			}
			data, ok := schemas[name]
			if !ok {
				return usageError(cmd, fmt.Sprintf("There is no schema named %q; choose one of: %s.", name, strings.Join([]string{"manifest", "config", "report", "connector"}, ", ")))
			}
			_, err := a.out.Write(data)
			return err
		},
	}
}
