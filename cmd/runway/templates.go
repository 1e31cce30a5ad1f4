package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway/templates"
)

func (a *app) templatesCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "List the curated templates",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			list := templates.List()
			switch output {
			case "json":
				type entry struct {
					Ref         string `json:"ref"`
					Name        string `json:"name"`
					Version     int    `json:"version"`
					Title       string `json:"title"`
					Description string `json:"description"`
					Language    string `json:"language"`
				}
				out := make([]entry, len(list))
				for i, t := range list {
					out[i] = entry{t.Ref(), t.Name, t.Version, t.Title, t.Description, t.Language}
				}
				enc := json.NewEncoder(a.out)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			case "text":
				tw := tabwriter.NewWriter(a.out, 0, 0, 3, ' ', 0)
				for _, t := range list {
					fmt.Fprintf(tw, "%s\t%s\n", t.Ref(), t.Description)
				}
				fmt.Fprintln(tw, "\nStart one with: runway new TEMPLATE DIR")
				return tw.Flush()
			default:
				return usageError(cmd, fmt.Sprintf("--output %q is not one of text, json.", output))
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}
