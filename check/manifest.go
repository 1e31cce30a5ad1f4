package check

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/yamlfile"
)

const manifestCheck = "manifest"

// manifestStep reads runway.yaml into ws.Manifest, and the accepted
// findings of runway.allow.yaml, before any check runs: every other check
// may rely on them, and a problem in them is explained like any other
// finding.
func (r *Runner) manifestStep(ws *runway.Workspace, now func() time.Time) (runway.CheckResult, []runway.Finding, []allowEntry) {
	if r.Observer != nil {
		r.Observer.CheckStarted(manifestCheck)
	}
	start := now()
	m, err := manifest.Load(ws.Dir)
	res := runway.CheckResult{Name: manifestCheck}
	var findings []runway.Finding
	var ye *yamlfile.Error
	switch {
	case err == nil:
		ws.Manifest = m
		res.Status = runway.StatusPass
		res.Summary = fmt.Sprintf("runway.yaml is valid: %s, owned by %s.", m.Name, m.Owner)
	case errors.As(err, &ye):
		res.Status = runway.StatusFail
		res.Summary = fmt.Sprintf("runway.yaml has %s.", plural(len(ye.Problems), "problem"))
		for _, p := range ye.Problems {
			findings = append(findings, problemFinding(ye.File, p))
		}
	case runway.ErrorCode(err) == runway.ENOTFOUND:
		res.Status = runway.StatusFail
		res.Summary = "There is no runway.yaml."
		findings = append(findings, runway.Finding{
			ID: runway.FindingID(manifestCheck, "missing"), Kind: runway.KindManifest, Severity: runway.SeverityHigh,
			Title: "runway.yaml is missing", Message: runway.ErrorMessage(err), File: runway.ManifestFile, Rule: "manifest-missing",
			Fix:      "Create runway.yaml: start a new app from a template with `runway new`, or copy runway.yaml from a template with `runway new TEMPLATE /tmp/example` and adapt it.",
			Blocking: true,
		})
	default:
		res.Status = runway.StatusError
		res.Summary = fmt.Sprintf("runway.yaml could not be read: %v", err)
	}
	entries, problems, err := loadAllow(ws.Dir, now())
	switch {
	case err != nil:
		res.Status = runway.StatusError
		res.Summary = fmt.Sprintf("%s could not be read: %v", AllowFile, err)
	case len(problems) > 0:
		res.Status = runway.StatusFail
		res.Summary = strings.TrimSpace(res.Summary + fmt.Sprintf(" %s has %s.", AllowFile, plural(len(problems), "problem")))
		findings = append(findings, problems...)
	case len(entries) > 0:
		res.Summary += fmt.Sprintf(" %s accepts %s.", AllowFile, plural(len(entries), "finding"))
	}
	for i := range findings {
		findings[i].Check = manifestCheck
	}
	res.DurationMS = now().Sub(start).Milliseconds()
	res, findings = r.observe(res, findings)
	return res, findings, entries
}

func problemFinding(file string, p yamlfile.Problem) runway.Finding {
	return runway.Finding{
		ID:       runway.FindingID(manifestCheck, p.Path, p.Message),
		Kind:     runway.KindManifest,
		Severity: runway.SeverityHigh,
		Title:    "runway.yaml: " + p.Message,
		Message:  p.Message,
		File:     file,
		Line:     p.Line,
		Column:   p.Column,
		Rule:     "manifest-schema",
		Fix:      p.Hint,
		Blocking: true,
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
