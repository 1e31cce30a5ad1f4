package main

import (
	"bytes"
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
		fmt.Fprintf(w, "  %s = %s", v.Name, compactJSON(v.Value))
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
			fmt.Fprintf(w, "  %d. %s%s → %s\n", i+1, name, conditionsWords(r.Conditions), serveWords(r.Serve))
		}
		fmt.Fprintf(w, "Everyone else gets %s.\n", serveWords(f.Default))
	} else {
		fmt.Fprintf(w, "When it is on, everyone gets %s.\n", serveWords(f.Default))
	}
	if f.Salt != "" {
		fmt.Fprintf(w, "Rollouts are shuffled with the salt %q.\n", f.Salt)
	}
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func conditionsWords(cs []runway.FlagCondition) string {
	if len(cs) == 0 {
		return "everyone"
	}
	var parts []string
	for _, c := range cs {
		values := strings.Join(c.Values, ", ")
		switch c.Op {
		case runway.OpInGroup:
			parts = append(parts, "in group "+values)
		case runway.OpNotInGroup:
			parts = append(parts, "not in group "+values)
		default:
			words, ok := opWords[c.Op]
			if !ok {
				words = strings.ReplaceAll(string(c.Op), "_", " ") + " %s"
			}
			parts = append(parts, c.Attribute+" "+fmt.Sprintf(words, values))
		}
	}
	return strings.Join(parts, " and ")
}

// opWords say what a condition's operator tests.
var opWords = map[runway.FlagOp]string{
	runway.OpEquals: "is %s", runway.OpNotEquals: "is not %s", runway.OpIn: "is one of %s", runway.OpNotIn: "is none of %s",
	runway.OpStartsWith: "starts with %s", runway.OpEndsWith: "ends with %s", runway.OpContains: "contains %s",
	runway.OpLT: "is less than %s", runway.OpLTE: "is at most %s", runway.OpGT: "is more than %s", runway.OpGTE: "is at least %s",
	runway.OpSemverEq: "is %s (a version)", runway.OpSemverLT: "is earlier than %s", runway.OpSemverLTE: "is %s or earlier",
	runway.OpSemverGT: "is later than %s", runway.OpSemverGTE: "is %s or later",
}

// serveWords says what a rule or default serves: a variant, or shares of
// a rollout in percent.
func serveWords(s runway.FlagServe) string {
	if len(s.Rollout) == 0 {
		return s.Variant
	}
	var parts []string
	for _, wt := range s.Rollout {
		parts = append(parts, fmt.Sprintf("%s %s%%", wt.Variant, percent(wt.Weight)))
	}
	return "a rollout: " + strings.Join(parts, ", ")
}

// percent writes buckets of 10,000 as a percentage: 2500 is 25, 1 is 0.01.
func percent(buckets int) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(buckets)/100), "0"), ".")
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

// evaluationWords says what who got from a flag, and why.
func evaluationWords(who string, e *flags.Evaluation) string {
	if e.Failed() {
		return fmt.Sprintf("%s gets the app's own default: the flag could not be evaluated (%s: %s).", who, e.ErrorCode, e.ErrorDetails)
	}
	got := fmt.Sprintf("%s gets %s (%s)", who, e.Variant, compactJSON(e.Value))
	rule, _ := e.Metadata["rule"].(string)
	switch e.Reason {
	case flags.ReasonStatic:
		return got + ": the flag is on and has no rules, so everyone gets it."
	case flags.ReasonTargetingMatch:
		if rule != "" {
			return fmt.Sprintf("%s: rule %q matched.", got, rule)
		}
		return got + ": a rule matched."
	case flags.ReasonSplit:
		why := "the percentage rollout"
		if rule != "" {
			why = fmt.Sprintf("rule %q's percentage rollout", rule)
		}
		return fmt.Sprintf("%s: %s put them in bucket %v of 10,000.", got, why, e.Metadata["bucket"])
	case flags.ReasonDisabled:
		if e.Metadata["killed"] == true {
			return got + ": the flag is killed. Apps use their own default for it."
		}
		return got + ": the flag is off. Apps use their own default for it."
	case flags.ReasonDefault:
		return got + ": no rule matched, so the flag's default applies."
	}
	return fmt.Sprintf("%s (%s).", got, e.Reason)
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
		fmt.Fprintf(w, "Matching: %s\n", conditionsWords(g.Conditions))
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
