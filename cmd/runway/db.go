package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/runwayhq/runway/scanner/osv"
)

// dbCommand is `runway db`: the offline vulnerability database that
// `runway check` reads.
func (a *app) dbCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the offline vulnerability database",
		Long: "Manage the offline vulnerability database (OSV advisories) that `runway check` matches the app's dependencies against. " +
			"Checks never touch the network: `runway db update` downloads the advisories from your platform's mirror, " +
			"`runway db import` reads them from files, and `runway db status` says how fresh they are.",
	}
	cmd.PersistentFlags().StringVar(&dir, "db", "", "database folder (default: RUNWAY_VULN_DB, vuln.db in the config, or the user cache folder's runway/vulndb)")
	folder := func(cmd *cobra.Command) (string, error) {
		if dir != "" {
			return dir, nil
		}
		if a.cfg.Vuln.DB == "" {
			return "", usageError(cmd, "There is no vulnerability database folder: pass --db DIR, or set RUNWAY_VULN_DB or vuln.db in the config.")
		}
		return a.cfg.Vuln.DB, nil
	}
	cmd.AddCommand(a.dbImportCommand(folder), a.dbUpdateCommand(folder), a.dbStatusCommand(folder))
	return cmd
}

type folderFunc func(cmd *cobra.Command) (string, error)

func (a *app) dbImportCommand(folder folderFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "import SRC...",
		Short: "Add OSV advisories from JSON files, folders or all.zip archives",
		Long: "Add OSV advisories to the database: OSV JSON files, folders of them, and the per-ecosystem all.zip archives osv.dev publishes. " +
			"An advisory replaces a stored one with the same ID. The import is all or nothing: if anything is wrong, the database stays as it was.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError(cmd, "runway db import expects OSV JSON files, folders or all.zip archives.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := folder(cmd)
			if err != nil {
				return err
			}
			res, err := (&osv.Importer{Dir: dir}).Import(cmd.Context(), args...)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Imported %s into %s", dbCount(res.Records, "advisory", "advisories"), dir)
			if res.Skipped > 0 {
				fmt.Fprintf(a.out, " (%s name no package and were skipped)", dbCount(res.Skipped, "advisory", "advisories"))
			}
			fmt.Fprintln(a.out, ".")
			return writeDBEcosystems(a.out, res.Ecosystems, time.Now())
		},
	}
}

func (a *app) dbUpdateCommand(folder folderFunc) *cobra.Command {
	var mirror string
	var ecosystems []string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the latest advisories from the mirror",
		Long: "Download MIRROR/ECOSYSTEM/all.zip for each ecosystem (those named with --ecosystem, else those already in the database, " +
			"else npm, Go, PyPI and Maven) and replace that ecosystem's advisories. An archive that has not changed is not downloaded again.",
		Args: exactArgs(0, "no arguments (name ecosystems with --ecosystem)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := folder(cmd)
			if err != nil {
				return err
			}
			if mirror == "" {
				mirror = a.cfg.Vuln.Mirror
			}
			if mirror == "" {
				return usageError(cmd, "No vulnerability mirror is set: set RUNWAY_VULN_MIRROR or vuln.mirror in the config (or pass --mirror URL) to the URL your platform team gives you.")
			}
			u := &osv.Updater{Dir: dir, Mirror: mirror}
			results, err := u.Update(cmd.Context(), u.Ecosystems(ecosystems))
			a.writeUpdates(results, dir)
			return err
		},
	}
	cmd.Flags().StringVar(&mirror, "mirror", "", "base URL of the OSV mirror (default: RUNWAY_VULN_MIRROR or vuln.mirror in the config)")
	cmd.Flags().StringArrayVar(&ecosystems, "ecosystem", nil, "ecosystem to update, such as npm, Go, PyPI or Maven (repeatable)")
	return cmd
}

func (a *app) writeUpdates(results []osv.UpdateResult, dir string) {
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	for _, r := range results {
		what := "updated"
		if !r.Changed {
			what = "already up to date"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Ecosystem, what, dbCount(r.Info.Records, "advisory", "advisories"))
	}
	tw.Flush()
	if len(results) > 0 {
		fmt.Fprintf(a.out, "Vulnerability database: %s\n", dir)
	}
}

func (a *app) dbStatusCommand(folder folderFunc) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the ecosystems, advisory counts and age of the database",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageError(cmd, fmt.Sprintf("--output %q is not one of text, json.", output))
			}
			dir, err := folder(cmd)
			if err != nil {
				return err
			}
			db, err := osv.Open(dir)
			if err != nil {
				return err
			}
			defer db.Close()
			if output == "json" {
				return writeDBStatusJSON(a.out, dir, db.Ecosystems(), time.Now())
			}
			fmt.Fprintf(a.out, "Vulnerability database: %s\n", dir)
			return writeDBEcosystems(a.out, db.Ecosystems(), time.Now())
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

// writeDBEcosystems prints one line per ecosystem.
func writeDBEcosystems(w io.Writer, list []osv.EcosystemInfo, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tADVISORIES\tWITHDRAWN\tPACKAGES\tUPDATED\tAGE\tSOURCE")
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\n", e.Ecosystem, e.Records, e.Withdrawn, e.Packages,
			e.Updated.UTC().Format("2006-01-02 15:04 UTC"), dbAge(now.Sub(e.Updated)), e.Source)
	}
	return tw.Flush()
}

func writeDBStatusJSON(w io.Writer, dir string, list []osv.EcosystemInfo, now time.Time) error {
	type ecosystem struct {
		osv.EcosystemInfo
		AgeDays int `json:"age_days"`
	}
	out := struct {
		Dir        string      `json:"dir"`
		Ecosystems []ecosystem `json:"ecosystems"`
	}{Dir: dir, Ecosystems: []ecosystem{}}
	for _, e := range list {
		out.Ecosystems = append(out.Ecosystems, ecosystem{e, dbAgeDays(now.Sub(e.Updated))})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func dbAgeDays(d time.Duration) int { return int(math.Floor(max(0, d.Hours()) / 24)) }

// dbAge says how old something is, as a person would.
func dbAge(d time.Duration) string {
	switch days := dbAgeDays(d); days {
	case 0:
		return "today"
	case 1:
		return "1 day"
	default:
		return fmt.Sprintf("%d days", days)
	}
}

func dbCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
