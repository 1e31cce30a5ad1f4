package report

import (
	"strings"
	"testing"

	"github.com/runwayhq/runway"
)

// TestPerPackage: a person upgrades packages, not advisories, so the
// advisories of one package version become one item with the most severe
// severity and the shared fix.
func TestPerPackage(t *testing.T) {
	t.Parallel()
	vuln := func(name, version, id string, sev runway.Severity) runway.Finding {
		return runway.Finding{
			Kind: runway.KindVulnerability, Severity: sev, File: "package-lock.json", Rule: id,
			Title:    name + " " + version + " has a known vulnerability: Problem " + id,
			Advisory: &runway.Advisory{ID: id, Aliases: []string{"CVE-" + id}},
			Package:  &runway.Package{Ecosystem: "npm", Name: name, Version: version, Fixed: "9.9.9"},
			Fix:      "Upgrade " + name + " to 9.9.9.",
		}
	}
	fs := []runway.Finding{
		vuln("lodash", "4.17.15", "A", runway.SeverityMedium),
		vuln("minimist", "1.2.5", "B", runway.SeverityCritical),
		vuln("lodash", "4.17.15", "C", runway.SeverityHigh),
		vuln("lodash", "4.17.20", "D", runway.SeverityLow), // another version: another item
		{Kind: runway.KindVulnerability, Severity: runway.SeverityLow, Title: "from SARIF, no package"},
	}
	g := GroupByAction(fs)
	if len(g) != 1 || g[0].Title() != "Upgrade packages (4 packages)" {
		t.Fatalf("groups = %+v", g)
	}
	var lodash runway.Finding
	for _, f := range g[0].Findings {
		if f.Package != nil && f.Package.Name == "lodash" && f.Package.Version == "4.17.15" {
			lodash = f
		}
	}
	if lodash.Title != "lodash 4.17.15 has 2 known vulnerabilities" || lodash.Severity != runway.SeverityHigh {
		t.Errorf("merged item = %+v", lodash)
	}
	if want := "- C (CVE-C), high: Problem C\n- A (CVE-A), medium: Problem A"; lodash.Message != want {
		t.Errorf("message:\n%s\nwant:\n%s", lodash.Message, want)
	}
	if !strings.Contains(lodash.Fix, "Upgrade lodash") {
		t.Errorf("fix = %q", lodash.Fix)
	}
	if fs[0].Title != "lodash 4.17.15 has a known vulnerability: Problem A" {
		t.Error("merging changed the caller's findings")
	}
}
