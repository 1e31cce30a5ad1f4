package manifest

import (
	"fmt"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/yamlfile"
)

// rules checks what the schema cannot express: facts that must agree with
// each other. Policy relies on them, so an inconsistent declaration is an
// error rather than a way around a rule.
func rules(doc *yamlfile.Document, m *runway.Manifest) []yamlfile.Problem {
	var out []yamlfile.Problem
	add := func(ptr, msg, hint string) {
		line, col := doc.Pos(ptr)
		out = append(out, yamlfile.Problem{Line: line, Column: col, Path: yamlfile.DisplayPath(ptr), Message: msg, Hint: hint})
	}
	seen := map[string]int{}
	for i, in := range m.Integrations {
		ptr := fmt.Sprintf("/integrations/%d", i)
		if first, dup := seen[in.Name]; dup {
			add(ptr+"/name", fmt.Sprintf("integration `%s` is listed twice (first as integration %d)", in.Name, first+1),
				"Give each integration its own name, or merge the two entries.")
		} else {
			seen[in.Name] = i
		}
		switch {
		case in.RequiresSecret && in.Secret == "":
			add(ptr, fmt.Sprintf("integration `%s` needs a secret but does not name it", in.Name),
				fmt.Sprintf("Add `secret: %s`: the name under which the platform stores the key, never the key itself.", suggestedName(in.Name)))
		case !in.RequiresSecret && in.Secret != "":
			add(ptr+"/secret", fmt.Sprintf("integration `%s` names a secret but does not say `requires_secret: true`", in.Name),
				"Add `requires_secret: true` to this integration, or remove `secret` if the service needs no key.")
		}
	}
	return out
}
