// Package release holds the rules of a candidate's way to production. For
// now that is its first step: a submission from `runway submit` becomes a
// release candidate, with the app registered or updated from its manifest
// and the decision made again by the server's own policies. The client's
// decision, tier and policy findings are never trusted.
//
// release imports the root package, access, manifest, sourcepack, window and sbomdiff.
package release

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/manifest"
	"github.com/runwayhq/runway/sourcepack"
)

// Service turns submissions into candidates.
type Service struct {
	Apps       runway.AppStore
	Candidates runway.CandidateStore
	// Decider is the server's policy engine, with its organisation's
	// policies; it must fail closed.
	Decider runway.Decider
	// Promoter, when set, hears of each new candidate so that open
	// promotions of older ones are voided at once.
	Promoter *Promoter
}

// Submission is what `runway submit` sends.
type Submission struct {
	// Manifest is runway.yaml as committed.
	Manifest []byte `json:"manifest"`
	// Report is the check report (runway.check/v1) made by the client.
	Report *runway.Report `json:"report"`
	// Inventory is the dependency inventory the report's SBOM was made
	// from; policies read licences and component counts from it.
	Inventory *runway.Inventory `json:"inventory"`
	// SourceDigest identifies the source that was checked: "sha256:" and
	// 64 hex digits.
	SourceDigest string `json:"source_digest"`
	// SBOMs are the SBOM files the check wrote, kept with the candidate.
	SBOMs runway.SBOMFiles `json:"sboms"`
	// Source is the source archive (sourcepack): what the platform builds.
	// Its digest must be SourceDigest. Optional for older clients; a
	// candidate without it cannot be deployed.
	Source []byte `json:"source,omitempty"`
}

var sourceDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Submit validates a submission, checks that p may submit for the app's
// team, registers or updates the app, decides with the server's policies
// and records the candidate. Errors: EINVALID for a bad submission (the
// message says what to fix), EFORBIDDEN/EUNAUTHORIZED from access,
// ENOTFOUND when the manifest's owner is not a team.
func (s *Service) Submit(ctx context.Context, p access.Principal, sub Submission) (*runway.Candidate, error) {
	m, err := s.validate(sub)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.Submit, m.Owner); err != nil {
		return nil, err
	}
	ctx = runway.WithActor(ctx, p.Actor())
	app, err := s.Apps.FindApp(ctx, m.Name)
	switch {
	case runway.ErrorCode(err) == runway.ENOTFOUND:
		app = nil
	case err != nil:
		return nil, err
	case app.Team != m.Owner:
		// Moving an app to another team needs rights on the old team too.
		if err := access.Require(p, access.Submit, app.Team); err != nil {
			return nil, err
		}
	}
	r := serverReport(sub.Report)
	ws := &runway.Workspace{Manifest: m, Inventory: func() (*runway.Inventory, error) { return sub.Inventory, nil }}
	if err := s.Decider.Decide(ctx, ws, r); err != nil {
		return nil, fmt.Errorf("decide on %s: %w", m.Name, err)
	}
	if app == nil {
		app = &runway.App{Name: m.Name, Team: m.Owner, Manifest: *m, Tier: r.Tier}
		if err := s.Apps.CreateApp(ctx, app); err != nil {
			return nil, err
		}
	} else {
		app.Team, app.Manifest, app.Tier = m.Owner, *m, r.Tier
		if err := s.Apps.UpdateApp(ctx, app); err != nil {
			return nil, err
		}
	}
	c := &runway.Candidate{App: app.Name, SourceDigest: sub.SourceDigest, Decision: r.Decision, Tier: r.Tier, SubmittedBy: p.Actor(), Report: r, Inventory: sub.Inventory, SBOMs: sub.SBOMs, Source: sub.Source}
	if err := s.Candidates.CreateCandidate(ctx, c); err != nil {
		return nil, err
	}
	if s.Promoter != nil {
		// Best effort: every answer and every start checks the candidate
		// again in its own transaction, so a failure here lets nothing
		// stale through; it only delays the news.
		_ = s.Promoter.Supersede(ctx, p.Actor(), app.Name)
	}
	return c, nil
}

// validate checks the parts of a submission and parses the manifest.
func (s *Service) validate(sub Submission) (*runway.Manifest, error) {
	if len(sub.Manifest) == 0 {
		return nil, runway.Errorf(runway.EINVALID, "the submission has no runway.yaml: run `runway submit` from the app's folder")
	}
	m, err := manifest.Parse(sub.Manifest)
	if err != nil {
		return nil, &runway.Error{Code: runway.EINVALID, Message: "runway.yaml has problems; fix them (`runway check` shows them too), then submit again:\n" + err.Error(), Err: err}
	}
	if sub.Report == nil || sub.Report.Schema != runway.ReportSchema {
		return nil, runway.Errorf(runway.EINVALID, "the submission has no check report of schema %s: run `runway check` with this version of runway, then submit again", runway.ReportSchema)
	}
	if sub.Report.App != m.Name {
		return nil, runway.Errorf(runway.EINVALID, "the check report is for app %q but runway.yaml names %q: run `runway check` again, then submit", sub.Report.App, m.Name)
	}
	if !sourceDigest.MatchString(sub.SourceDigest) {
		return nil, runway.Errorf(runway.EINVALID, "source_digest must be \"sha256:\" followed by 64 lowercase hex digits")
	}
	if len(sub.Source) > 0 {
		got, err := sourcepack.Walk(sub.Source, sourcepack.DefaultLimits, nil)
		if err != nil {
			return nil, err
		}
		if got != sub.SourceDigest {
			return nil, runway.Errorf(runway.EINVALID, "the source archive's digest is %s but the submission says %s: submit again from the app's folder", got, sub.SourceDigest)
		}
	}
	if err := checkSBOM(sub.SBOMs.CycloneDX, "bomFormat", "CycloneDX"); err != nil {
		return nil, err
	}
	if err := checkSBOM(sub.SBOMs.SPDX, "spdxVersion", "SPDX-2.3"); err != nil {
		return nil, err
	}
	return m, nil
}

// checkSBOM accepts an absent SBOM, or a JSON object whose field says it
// is the format it claims to be.
func checkSBOM(doc json.RawMessage, field, want string) error {
	if len(doc) == 0 {
		return nil
	}
	var head map[string]json.RawMessage
	if err := json.Unmarshal(doc, &head); err != nil {
		return runway.Errorf(runway.EINVALID, "the %s SBOM is not a JSON object: run `runway check` again, then submit", want)
	}
	var got string
	if json.Unmarshal(head[field], &got) != nil || got != want {
		return runway.Errorf(runway.EINVALID, "the SBOM sent as %s says %s is %q: send the file `runway check` wrote", want, field, got)
	}
	return nil
}

// serverReport copies the client's report without what the server decides
// itself: the decision, tier, risk, approvals, and the policy check with
// its findings. Blocking marks set by policies are cleared; the checks' own
// blocking findings (a failing test) keep theirs.
func serverReport(client *runway.Report) *runway.Report {
	r := *client
	r.Decision, r.Tier, r.Risk, r.ApprovalsRequired = "", 0, runway.Risk{}, nil
	r.Checks = slices.DeleteFunc(slices.Clone(client.Checks), func(c runway.CheckResult) bool { return c.Name == policyCheck })
	r.Findings = nil
	for _, f := range client.Findings {
		if f.Check == policyCheck || f.Kind == runway.KindPolicy {
			continue
		}
		if f.Kind == runway.KindSecret || f.Kind == runway.KindVulnerability || f.Kind == runway.KindSAST {
			f.Blocking = false // policies decide what these block
		}
		r.Findings = append(r.Findings, f)
	}
	return &r
}

// policyCheck is the name of the check the policy engine adds.
const policyCheck = "policy"
