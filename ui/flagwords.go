package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/flags"
)

// Flags in words: the same sentences `runway flags` prints.

// flagState says whether a flag is on, off or killed.
func flagState(f *runway.Flag) string {
	switch {
	case f.Kill != nil:
		return "Killed"
	case f.Enabled:
		return "On"
	}
	return "Off"
}

// flagClass names a flag's state for the style sheet.
func flagClass(f *runway.Flag) string {
	switch {
	case f.Kill != nil:
		return "blocked"
	case f.Enabled:
		return "pass"
	}
	return "closed"
}

// flagSummary says in a sentence what a flag serves now.
func flagSummary(f *runway.Flag) string {
	switch {
	case f.Kill != nil:
		return fmt.Sprintf("Everyone gets %s: killed by %s (%s).", f.OffVariant, person(f.Kill.By), f.Kill.Reason)
	case !f.Enabled:
		return fmt.Sprintf("Everyone gets %s while it is off.", f.OffVariant)
	case len(f.Rules) == 0:
		return fmt.Sprintf("Everyone gets %s.", serveWords(f.Default))
	}
	return fmt.Sprintf("%s, else %s.", plural(len(f.Rules), "rule"), serveWords(f.Default))
}

// rulesWords says each rule: whom it matches and what it serves.
func rulesWords(rules []runway.FlagRule) []string {
	var out []string
	for _, r := range rules {
		name := ""
		if r.Name != "" {
			name = r.Name + ": "
		}
		out = append(out, fmt.Sprintf("%s%s get %s", name, conditionsWords(r.Conditions), serveWords(r.Serve)))
	}
	return out
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
			parts = append(parts, "people in group "+values)
		case runway.OpNotInGroup:
			parts = append(parts, "people not in group "+values)
		default:
			words, ok := opWords[c.Op]
			if !ok {
				words = strings.ReplaceAll(string(c.Op), "_", " ") + " %s"
			}
			parts = append(parts, "those whose "+c.Attribute+" "+fmt.Sprintf(words, values))
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
	return "a rollout of " + strings.Join(parts, ", ")
}

// percent writes buckets of 10,000 as a percentage: 2500 is 25, 1 is 0.01.
func percent(buckets int) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(buckets)/100), "0"), ".")
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// flagChangeWords says what one change of a flag's history did.
func flagChangeWords(e *runway.AuditEntry) string {
	var d struct {
		Version int64  `json:"version"`
		Enabled bool   `json:"enabled"`
		Reason  string `json:"reason"`
	}
	json.Unmarshal(e.Data, &d) // an entry without these fields still says its action
	state := "off"
	if d.Enabled {
		state = "on"
	}
	switch e.Action {
	case "flag.create":
		return fmt.Sprintf("Created it, %s (version %d)", state, d.Version)
	case "flag.update":
		return fmt.Sprintf("Changed it, now %s (version %d)", state, d.Version)
	case "flag.kill":
		return "Pulled the kill switch: " + d.Reason
	}
	return actionWords(e.Action)
}

// evaluationWords says what who got from a flag, and why.
func evaluationWords(who string, e *flags.Evaluation) string {
	if e.Failed() {
		return fmt.Sprintf("%s gets the app's own default: the flag could not be evaluated (%s).", who, e.ErrorDetails)
	}
	got := fmt.Sprintf("%s gets %s (%s)", who, e.Variant, compactJSON(e.Value))
	rule, _ := e.Metadata["rule"].(string)
	switch e.Reason {
	case flags.ReasonStatic:
		return got + ": the flag is on and has no rules, so everyone gets it."
	case flags.ReasonTargetingMatch:
		if rule != "" {
			return fmt.Sprintf("%s: the rule %q matched.", got, rule)
		}
		return got + ": a rule matched."
	case flags.ReasonSplit:
		why := "the percentage rollout"
		if rule != "" {
			why = fmt.Sprintf("the rule %q's percentage rollout", rule)
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
