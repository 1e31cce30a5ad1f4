package opa

import (
	"encoding/json"
	"time"

	"github.com/open-policy-agent/opa/v1/util"

	"github.com/runwayhq/runway"
)

// input is the policy input document (docs/policy.md describes every
// field). Its JSON form is what `runway check` saves as policy-input.json
// and what `runway policy eval --input` reads back.
type input struct {
	Manifest    *runway.Manifest `json:"manifest"`
	Risk        inputRisk        `json:"risk"`
	Findings    []inputFinding   `json:"findings"`
	Checks      []inputCheck     `json:"checks"`
	SBOM        inputSBOM        `json:"sbom"`
	Environment string           `json:"environment"`
	Candidate   candidate        `json:"candidate"`
	Approvals   []approvalGiven  `json:"approvals"`
	Exceptions  []ExceptionState `json:"exceptions"`
	// Connector holds the facts of a low-code connector (its trigger,
	// actions, integrations and hosts) that a check reported as
	// details.connector; null for an app that is not a connector.
	Connector map[string]any `json:"connector"`
	// Summary holds facts derived from the fields above (summary.go).
	Summary inputSummary `json:"summary"`
}

// inputRisk is what the owner declared; the effective tier is computed by
// the policies (data.runway.risk.tier).
type inputRisk struct {
	Declared runway.RiskLevel `json:"declared"`
}

// inputFinding is a finding of a check, with `suppressed` spelled out.
type inputFinding struct {
	runway.Finding
	Suppressed bool `json:"suppressed"`
}

// inputCheck is how one check went, with the details it reports for policy.
type inputCheck struct {
	Name    string             `json:"name"`
	Status  runway.CheckStatus `json:"status"`
	Summary string             `json:"summary"`
	Details map[string]any     `json:"details"`
}

// inputSBOM describes the app's dependencies.
type inputSBOM struct {
	// Generated is true when a check wrote the SBOM files.
	Generated bool   `json:"generated"`
	CycloneDX string `json:"cyclonedx"`
	SPDX      string `json:"spdx"`
	// Available is false when the dependency inventory could not be read;
	// Error then says why.
	Available  bool             `json:"available"`
	Error      string           `json:"error"`
	Components []inputComponent `json:"components"`
	Licenses   []licenseSummary `json:"licenses"`
}

// inputComponent is a dependency as policy sees it.
type inputComponent struct {
	Ecosystem string   `json:"ecosystem"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	PURL      string   `json:"purl"`
	Licenses  []string `json:"licenses"`
	Direct    bool     `json:"direct"`
	Dev       bool     `json:"dev"`
}

// candidate is the release candidate being decided; empty for a local
// `runway check`.
type candidate struct {
	Digest      string `json:"digest"`
	SubmittedBy string `json:"submitted_by"`
}

// approvalGiven is an approval already granted to the candidate.
type approvalGiven struct {
	Role string `json:"role"`
	By   string `json:"by"`
}

// ExceptionState is an exception for the app being decided, with whether
// it applies now (not expired, and for this environment).
type ExceptionState struct {
	Exception
	Active bool `json:"active"`
}

// noInventory is why the SBOM input is empty when nothing lists the
// dependencies.
const noInventory = "no dependency inventory was available in this run"

// buildInput assembles the input from what the checks found. It never
// fails: what is missing is said in the input, for policies to judge.
func buildInput(ws *runway.Workspace, r *runway.Report, env string, exceptions []Exception, now time.Time) *input {
	in := &input{
		Environment: env,
		Findings:    make([]inputFinding, 0, len(r.Findings)),
		Checks:      make([]inputCheck, 0, len(r.Checks)),
		Approvals:   []approvalGiven{},
		Exceptions:  []ExceptionState{},
	}
	if ws.Manifest != nil {
		m := *ws.Manifest
		m.Data = nonNil(m.Data)
		m.Integrations = nonNil(m.Integrations)
		in.Manifest = &m
		in.Risk.Declared = m.Risk
		in.Exceptions = activeExceptions(exceptions, m.Name, env, now)
	}
	for _, f := range r.Findings {
		if f.Kind != runway.KindPolicy {
			in.Findings = append(in.Findings, inputFinding{Finding: f, Suppressed: f.Suppression != nil})
		}
	}
	for _, c := range r.Checks {
		if c.Name == policyCheck {
			continue
		}
		details := jsonDetails(c.Details)
		in.Checks = append(in.Checks, inputCheck{Name: c.Name, Status: c.Status, Summary: c.Summary, Details: details})
		if facts, ok := details["connector"].(map[string]any); ok && in.Connector == nil {
			in.Connector = facts
		}
	}
	in.SBOM = sbomInput(ws, r)
	in.Summary = summarize(in)
	return in
}

// jsonDetails returns a check's details as their JSON form decodes, so
// policies read exactly what policy-input.json holds. Details with no JSON
// form (a NaN, a channel) are left out: for policy, as if the check had
// reported none.
func jsonDetails(d map[string]any) map[string]any {
	if d == nil {
		return nil
	}
	data, err := json.Marshal(d)
	if err != nil {
		return nil
	}
	var out map[string]any
	if err := util.UnmarshalJSON(data, &out); err != nil {
		return nil
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sbomInput lists the components from the shared inventory.
func sbomInput(ws *runway.Workspace, r *runway.Report) inputSBOM {
	s := inputSBOM{Components: []inputComponent{}, Licenses: []licenseSummary{}}
	if r.SBOM != nil {
		s.Generated, s.CycloneDX, s.SPDX = true, r.SBOM.CycloneDX, r.SBOM.SPDX
	}
	if ws.Inventory == nil {
		s.Error = noInventory
		return s
	}
	inv, err := ws.Inventory()
	switch {
	case err != nil:
		s.Error = runway.ErrorMessage(err)
		if runway.ErrorCode(err) == runway.EINTERNAL {
			s.Error = err.Error()
		}
		return s
	case inv == nil:
		s.Error = noInventory
		return s
	}
	s.Available = true
	s.Components = make([]inputComponent, len(inv.Components))
	for i, c := range inv.Components {
		s.Components[i] = inputComponent{Ecosystem: c.Ecosystem, Name: c.Name, Version: c.Version, PURL: c.PURL,
			Licenses: nonNil(c.Licenses), Direct: c.Direct, Dev: c.Dev}
	}
	s.Licenses = summarizeLicenses(inv.Components)
	return s
}
