package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// What `runway flags` prints for people: flags, rules, changes and
// evaluations in words (testdata/flags.golden).

// flagState is on, off or killed.
func flagState(f *runway.Flag) string {
	switch {
	case f.Kill != nil:
		return "killed"
	case f.Enabled:
		return "on"
	}
	return "off"
}

func printFlags(w io.Writer, fs []runway.Flag) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tENVIRONMENT\tTYPE\tSTATE\tVERSION\tUPDATED\tBY")
	for _, f := range fs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", f.Key, f.Environment, f.Type, flagState(&f), f.Version, stamp(f.UpdatedAt), f.UpdatedBy)
	}
	return tw.Flush()
}

// printFlag says what a flag serves to whom.
func printFlag(w io.Writer, f *runway.Flag) {
	fmt.Fprintf(w, "%s of %s in %s: a %s flag, %s (version %d, changed by %s on %s)\n", f.Key, f.App, f.Environment, f.Type, flagState(f), f.Version, f.UpdatedBy, stamp(f.UpdatedAt))
	if f.Description != "" {
		fmt.Fprintf(w, "  %s\n", f.Description)
	}
	if f.Kill != nil {
		fmt.Fprintf(w, "Killed by %s on %s: %s\n", f.Kill.By, stamp(f.Kill.At), f.Kill.Reason)
	}
	fmt.Fprintln(w, "Variants:")
	for _, v := range f.Variants {
		fmt.Fprintf(w, "  %s = %s", v.Name, flags.CompactJSON(v.Value))
		if v.Description != "" {
			fmt.Fprintf(w, "  (%s)", v.Description)
		}
		fmt.Fprintln(w)
	}
	if f.Kill != nil || !f.Enabled {
		fmt.Fprintf(w, "While it is off, everyone gets %s.\n", f.OffVariant)
	}
	if len(f.Rules) > 0 {
		fmt.Fprintln(w, "Rules, the first that matches decides:")
		for i, r := range f.Rules {
			name := ""
			if r.Name != "" {
				name = r.Name + ": "
			}
			fmt.Fprintf(w, "  %d. %s%s → %s\n", i+1, name, flags.ConditionsWords(r.Conditions), flags.ServeWords(r.Serve))
		}
		fmt.Fprintf(w, "Everyone else gets %s.\n", flags.ServeWords(f.Default))
	} else {
		fmt.Fprintf(w, "When it is on, everyone gets %s.\n", flags.ServeWords(f.Default))
	}
	if f.Salt != "" {
		fmt.Fprintf(w, "Rollouts are shuffled with the salt %q.\n", f.Salt)
	}
}

// flagChange is a row of a flag's history.
func flagChange(e runway.AuditEntry) string {
	var d struct {
		Version int64  `json:"version"`
		Enabled bool   `json:"enabled"`
		Reason  string `json:"reason"`
	}
	json.Unmarshal(e.Data, &d)
	state := "off"
	if d.Enabled {
		state = "on"
	}
	what := map[string]string{"flag.create": "created, " + state, "flag.update": "changed, " + state, "flag.kill": "killed: " + d.Reason}[e.Action]
	if what == "" {
		what = e.Action
	}
	return fmt.Sprintf("%d\t%s\t%s\t%d\t%s", e.Seq, stamp(e.Time), e.Actor, d.Version, what)
}

func printGroups(w io.Writer, gs []runway.FlagGroup) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tWHO\tUPDATED\tDESCRIPTION")
	for _, g := range gs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.Name, groupSize(&g), stamp(g.UpdatedAt), g.Description)
	}
	return tw.Flush()
}

func printGroup(w io.Writer, g *runway.FlagGroup) {
	fmt.Fprintf(w, "Group %s of %s: %s.\n", g.Name, g.App, groupSize(g))
	if g.Description != "" {
		fmt.Fprintf(w, "  %s\n", g.Description)
	}
	if len(g.Keys) > 0 {
		fmt.Fprintf(w, "Listed: %s\n", strings.Join(g.Keys, ", "))
	}
	if len(g.Conditions) > 0 {
		fmt.Fprintf(w, "Matching: %s\n", flags.ConditionsWords(g.Conditions))
	}
}

func printFlagKeys(w io.Writer, ks []runway.FlagKey) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENVIRONMENT\tNAME\tSTARTS WITH\tMADE BY\tMADE\tREVOKED")
	for _, k := range ks {
		revoked := ""
		if k.RevokedAt != nil {
			revoked = stamp(*k.RevokedAt)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Environment, k.Name, k.Hint, k.CreatedBy, stamp(k.CreatedAt), revoked)
	}
	return tw.Flush()
}
