package opa

import (
	"context"
	"testing"

	"github.com/runwayhq/runway"
)

// TestDenyMakesItsFindingsBlock: the findings a deny is about block, so a
// person sees them under what to fix (upgrade these packages); a warning
// leaves its findings alone, and an accepted finding never blocks.
func TestDenyMakesItsFindingsBlock(t *testing.T) {
	t.Parallel()
	vuln := func(id, name string, sev runway.Severity, fixed string) runway.Finding {
		return runway.Finding{ID: id, Check: "vulnerabilities", Kind: runway.KindVulnerability, Severity: sev, Title: name,
			Package: &runway.Package{Ecosystem: "npm", Name: name, Version: "1.0.0", Fixed: fixed}}
	}
	tests := []struct {
		env      string
		blocking map[string]bool
	}{
		{"production", map[string]bool{"fixable": true, "nofix": false, "medium": false, "accepted": false}},
		{"sandbox", map[string]bool{"fixable": false, "nofix": false, "medium": false, "accepted": false}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Parallel()
			r := cleanReport()
			accepted := vuln("accepted", "minimist", runway.SeverityCritical, "1.2.6")
			accepted.Suppression = &runway.Suppression{Source: "runway.allow.yaml", Reason: "Not reachable from the app."}
			r.Findings = []runway.Finding{
				vuln("fixable", "lodash", runway.SeverityHigh, "4.17.21"),
				vuln("nofix", "flatmap-stream", runway.SeverityCritical, ""),
				vuln("medium", "qs", runway.SeverityMedium, "6.10.3"),
				accepted,
			}
			e := newEngine(t, Options{Environment: tt.env})
			if err := e.Decide(context.Background(), workspace(t, teamApp(), nil), r); err != nil {
				t.Fatal(err)
			}
			for _, f := range r.Findings {
				if want, ok := tt.blocking[f.ID]; ok && f.Blocking != want {
					t.Errorf("%s: blocking = %v, want %v", f.ID, f.Blocking, want)
				}
			}
		})
	}
}
