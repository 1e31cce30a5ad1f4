package runway

import "time"

// ReportSchema names the version of the check report's JSON form.
const ReportSchema = "runway.check/v1"

// Report is the outcome of `runway check`: what ran, what it found, and what
// the platform decided. Its JSON form is Runway's contract with CI, the
// server and policy authors.
type Report struct {
	Schema            string        `json:"schema"`
	RunwayVersion     string        `json:"runway_version"`
	App               string        `json:"app"`
	StartedAt         time.Time     `json:"started_at"`
	DurationMS        int64         `json:"duration_ms"`
	Decision          Decision      `json:"decision"`
	Tier              Tier          `json:"tier"`
	Risk              Risk          `json:"risk"`
	ApprovalsRequired []Role        `json:"approvals_required"`
	Checks            []CheckResult `json:"checks"`
	Findings          []Finding     `json:"findings"`
	SBOM              *SBOMSummary  `json:"sbom"`
}

// Blocking returns the findings that block the decision.
func (r *Report) Blocking() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Blocking {
			out = append(out, f)
		}
	}
	return out
}

// Decision is what the gate says about a candidate.
type Decision string

// Decisions.
const (
	DecisionPass          Decision = "pass"
	DecisionNeedsApproval Decision = "needs_approval"
	DecisionBlocked       Decision = "blocked"
)

// Tier is a risk tier: 1 personal/demo, 2 team use, 3 org-facing or
// sensitive.
type Tier int

// Risk is the declared and effective risk, with the reasons for the
// effective one in plain words.
type Risk struct {
	Declared  RiskLevel `json:"declared"`
	Effective RiskLevel `json:"effective"`
	Reasons   []string  `json:"reasons"`
}

// Role is a platform role.
type Role string

// Roles.
const (
	RoleDeveloper Role = "developer"
	RoleTeamLead  Role = "team-lead"
	RoleSecurity  Role = "security"
	RolePlatform  Role = "platform"
	RoleAdmin     Role = "admin"
)

// Roles lists the platform roles.
var Roles = []Role{RoleDeveloper, RoleTeamLead, RoleSecurity, RolePlatform, RoleAdmin}

// CheckResult is how one check went.
type CheckResult struct {
	Name       string      `json:"name"`
	Status     CheckStatus `json:"status"`
	DurationMS int64       `json:"duration_ms"`
	Summary    string      `json:"summary"`
	// Log is the captured output, relative to the app's root folder.
	Log string `json:"log,omitempty"`
	// Details are facts the check reports for policy, such as the age of
	// the vulnerability database.
	Details map[string]any `json:"details,omitempty"`
}

// CheckStatus is the outcome of a check.
type CheckStatus string

// Check statuses.
const (
	StatusPass    CheckStatus = "pass"
	StatusFail    CheckStatus = "fail"
	StatusWarn    CheckStatus = "warn"
	StatusSkipped CheckStatus = "skipped"
	StatusError   CheckStatus = "error"
)

// SBOMSummary points at the SBOM files a check wrote.
type SBOMSummary struct {
	CycloneDX  string `json:"cyclonedx"`
	SPDX       string `json:"spdx"`
	Components int    `json:"components"`
}
