package report

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/runwayhq/runway"
)

// codeQualityIssue is one entry of a GitLab Code Quality report, the
// subset of the Code Climate issue format that GitLab reads. GitLab shows
// these in the merge request and on the changed lines.
type codeQualityIssue struct {
	Description string              `json:"description"`
	CheckName   string              `json:"check_name"`
	Fingerprint string              `json:"fingerprint"`
	Severity    string              `json:"severity"`
	Location    codeQualityLocation `json:"location"`
}

type codeQualityLocation struct {
	Path  string           `json:"path"`
	Lines codeQualityLines `json:"lines"`
}

type codeQualityLines struct {
	// Begin is 1-based; GitLab rejects 0.
	Begin int `json:"begin"`
}

// writeCodeQuality writes the findings as a GitLab Code Quality report: a
// JSON array, empty when nothing was found.
func writeCodeQuality(w io.Writer, r *runway.Report) error {
	issues := make([]codeQualityIssue, 0, len(r.Findings))
	for _, f := range r.Findings {
		issues = append(issues, codeQualityFor(f))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(issues)
}

func codeQualityFor(f runway.Finding) codeQualityIssue {
	path := f.File
	if path == "" {
		path = runway.ManifestFile
	}
	desc := f.Title
	if f.Fix != "" {
		desc = strings.TrimSuffix(desc, ".") + ". Fix: " + f.Fix
	}
	id := f.ID
	if id == "" {
		// GitLab needs a fingerprint to track an issue between pipelines.
		id = runway.FindingID(f.Check, ruleID(f), path, strconv.Itoa(f.Line), f.Title)
	}
	return codeQualityIssue{
		Description: desc,
		CheckName:   ruleID(f),
		Fingerprint: id,
		Severity:    codeQualitySeverity(f),
		Location:    codeQualityLocation{Path: path, Lines: codeQualityLines{Begin: max(1, f.Line)}},
	}
}

// codeQualitySeverity maps a finding to GitLab's scale: a finding that
// blocks the app is a blocker; otherwise critical stays critical, high is
// major, medium minor, and low and info are info.
func codeQualitySeverity(f runway.Finding) string {
	if f.Blocking {
		return "blocker"
	}
	switch f.Severity {
	case runway.SeverityCritical:
		return "critical"
	case runway.SeverityHigh:
		return "major"
	case runway.SeverityMedium:
		return "minor"
	default:
		return "info"
	}
}
