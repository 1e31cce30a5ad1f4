package flags

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/runwayhq/runway"
)

// Plain words for flags, shared by the CLI and the web pages.

// ConditionsWords says whom a rule's conditions select: "everyone", or
// "people whose email ends with @example.com and people in group beta".
func ConditionsWords(cs []runway.FlagCondition) string {
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
			parts = append(parts, "people whose "+c.Attribute+" "+fmt.Sprintf(words, values))
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

// ServeWords says what a rule or default serves: a variant, or "a rollout
// of on 25%, off 75%".
func ServeWords(s runway.FlagServe) string {
	if len(s.Rollout) == 0 {
		return s.Variant
	}
	var parts []string
	for _, wt := range s.Rollout {
		parts = append(parts, fmt.Sprintf("%s %s%%", wt.Variant, Percent(wt.Weight)))
	}
	return "a rollout of " + strings.Join(parts, ", ")
}

// Percent writes buckets of 10,000 as a percentage: 2500 is 25, 1 is 0.01.
func Percent(buckets int) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(buckets)/100), "0"), ".")
}

// CompactJSON writes a variant's value on one line.
func CompactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// EvaluationWords says what who got from a flag, and why.
func EvaluationWords(who string, e *Evaluation) string {
	if e.Failed() {
		return fmt.Sprintf("%s gets the app's own default: the flag could not be evaluated (%s: %s).", who, e.ErrorCode, e.ErrorDetails)
	}
	got := fmt.Sprintf("%s gets %s (%s)", who, e.Variant, CompactJSON(e.Value))
	rule, _ := e.Metadata["rule"].(string)
	switch e.Reason {
	case ReasonStatic:
		return got + ": the flag is on and has no rules, so everyone gets it."
	case ReasonTargetingMatch:
		if rule != "" {
			return fmt.Sprintf("%s: the rule %q matched.", got, rule)
		}
		return got + ": a rule matched."
	case ReasonSplit:
		why := "the percentage rollout"
		if rule != "" {
			why = fmt.Sprintf("the rule %q's percentage rollout", rule)
		}
		return fmt.Sprintf("%s: %s put them in bucket %v of 10,000.", got, why, e.Metadata["bucket"])
	case ReasonDisabled:
		if e.Metadata["killed"] == true {
			return got + ": the flag is killed. Apps use their own default for it."
		}
		return got + ": the flag is off. Apps use their own default for it."
	case ReasonDefault:
		return got + ": no rule matched, so the flag's default applies."
	}
	return fmt.Sprintf("%s (%s).", got, e.Reason)
}
