package ui

import (
	"encoding/json"
	"fmt"

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
		return fmt.Sprintf("Everyone gets %s.", flags.ServeWords(f.Default))
	}
	return fmt.Sprintf("%s, else %s.", plural(len(f.Rules), "rule"), flags.ServeWords(f.Default))
}

// rulesWords says each rule: whom it matches and what it serves.
func rulesWords(rules []runway.FlagRule) []string {
	var out []string
	for _, r := range rules {
		name := ""
		if r.Name != "" {
			name = r.Name + ": "
		}
		out = append(out, fmt.Sprintf("%s%s get %s", name, flags.ConditionsWords(r.Conditions), flags.ServeWords(r.Serve)))
	}
	return out
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
