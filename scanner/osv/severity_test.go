package osv

import (
	"testing"

	"github.com/runwayhq/runway"
)

func TestRate(t *testing.T) {
	t.Parallel()
	v3 := func(s string) Severity { return Severity{Type: "CVSS_V3", Score: s} }
	tests := []struct {
		name   string
		rec    Record
		aff    Affected
		want   runway.Severity
		score  float64
		source string
	}{
		{"CVSS 3.1 critical", Record{Severity: []Severity{v3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")}}, Affected{},
			runway.SeverityCritical, 9.8, "CVSS 3.1 base score 9.8"},
		{"CVSS 3.1 high", Record{Severity: []Severity{v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H")}}, Affected{},
			runway.SeverityHigh, 7.4, "CVSS 3.1 base score 7.4"},
		{"CVSS 3.0 medium", Record{Severity: []Severity{v3("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L")}}, Affected{},
			runway.SeverityMedium, 5.3, "CVSS 3.0 base score 5.3"},
		{"CVSS 3.1 low", Record{Severity: []Severity{v3("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N")}}, Affected{},
			runway.SeverityLow, 1.8, "CVSS 3.1 base score 1.8"},
		{"CVSS 4.0", Record{Severity: []Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}}, Affected{},
			runway.SeverityCritical, 9.3, "CVSS 4.0 base score 9.3"},
		{"CVSS 2 tops out at high", Record{Severity: []Severity{{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:C/I:C/A:C"}}}, Affected{},
			runway.SeverityHigh, 10, "CVSS 2.0 base score 10.0"},
		{"the highest vector wins", Record{Severity: []Severity{
			v3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"),
			{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}}, Affected{},
			runway.SeverityCritical, 9.3, "CVSS 4.0 base score 9.3"},
		{"the package's own vector counts", Record{}, Affected{Severity: []Severity{v3("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H")}},
			runway.SeverityHigh, 7.4, "CVSS 3.1 base score 7.4"},
		{"a broken vector falls back to the database", Record{Severity: []Severity{v3("CVSS:3.1/AV:X")}, DatabaseSeverity: "MODERATE"}, Affected{},
			runway.SeverityMedium, 0, "rated moderate by the advisory database"},
		{"database severity", Record{DatabaseSeverity: "CRITICAL"}, Affected{}, runway.SeverityCritical, 0, "rated critical by the advisory database"},
		{"package database severity first", Record{DatabaseSeverity: "LOW"}, Affected{DatabaseSeverity: "HIGH"}, runway.SeverityHigh, 0, "rated high by the advisory database"},
		{"Ubuntu priority", Record{Severity: []Severity{{Type: "Ubuntu", Score: "negligible"}}}, Affected{}, runway.SeverityLow, 0, "rated negligible by Ubuntu"},
		{"nothing known", Record{}, Affected{}, runway.SeverityMedium, 0, "no severity published, so Runway assumes medium"},
	}
	for _, tt := range tests {
		got := Rate(&tt.rec, &tt.aff)
		if got.Severity != tt.want || got.Score != tt.score || got.Source != tt.source {
			t.Errorf("%s: Rate = %+v, want %s %.1f %q", tt.name, got, tt.want, tt.score, tt.source)
		}
	}
}
