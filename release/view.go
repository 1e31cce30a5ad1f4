package release

import (
	"context"
	"slices"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/sbomdiff"
)

func (s *Promoter) clock() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Review is a promotion with what an approver needs to decide: the
// candidate's findings, the SBOM change, and whether the reader may answer.
type Review struct {
	*runway.Promotion
	Findings        runway.FindingCounts `json:"findings"`
	Vulnerabilities []runway.Finding     `json:"vulnerabilities"`
	SBOMChange      sbomdiff.Change      `json:"sbom_change"`
	SBOMSummary     string               `json:"sbom_summary"`
	// CanAnswer says whether the reader may approve or reject; when not,
	// CannotAnswer says why in plain words.
	CanAnswer    bool   `json:"can_answer"`
	CannotAnswer string `json:"cannot_answer,omitempty"`
	// CanWithdraw says whether the reader may withdraw the request (the
	// person who asked, or an admin, while it is open).
	CanWithdraw bool `json:"can_withdraw"`
}

// Get returns a promotion for a reader who may see the app's candidates.
func (s *Promoter) Get(ctx context.Context, p access.Principal, id int64) (*runway.Promotion, error) {
	pr, err := s.Promotions.FindPromotion(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.ReadCandidates, pr.Team); err != nil {
		return nil, err
	}
	match(pr, s.clock())
	return pr, nil
}

// Review returns a promotion with its whole context.
func (s *Promoter) Review(ctx context.Context, p access.Principal, id int64) (*Review, error) {
	pr, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	c, err := s.Candidates.FindCandidate(ctx, pr.App, pr.Candidate)
	if err != nil {
		return nil, err
	}
	before, err := s.productionInventory(ctx, pr.App)
	if err != nil {
		return nil, err
	}
	r := &Review{Promotion: pr, Findings: c.Findings, Vulnerabilities: []runway.Finding{}, SBOMChange: sbomdiff.Diff(before, c.Inventory)}
	r.SBOMSummary = r.SBOMChange.Summary()
	for _, f := range c.Report.Findings {
		if f.Kind == runway.KindVulnerability && f.Suppression == nil {
			r.Vulnerabilities = append(r.Vulnerabilities, f)
		}
	}
	r.CannotAnswer = cannotAnswer(pr, p, s.clock())
	r.CanAnswer = r.CannotAnswer == ""
	r.CanWithdraw = pr.State.Open() && (pr.RequestedBy == p.Actor() || access.Allowed(p, access.CreateUser, ""))
	return r, nil
}

// cannotAnswer says why p may not answer pr now, or "".
func cannotAnswer(pr *runway.Promotion, p access.Principal, now time.Time) string {
	if !pr.State.Open() {
		return "It is " + string(pr.State) + "."
	}
	if !access.Allowed(p, access.Approve, pr.Team) {
		return "Your role does not let you approve promotions of " + pr.Team + "."
	}
	if why := sodProblem(pr, p.Actor()); why != "" {
		return Sentence(why)
	}
	for _, a := range pr.Approvals {
		if a.By == p.Actor() && current(pr, &a, now) {
			return "You approved it already."
		}
	}
	if !slices.ContainsFunc(pr.Requirements, func(q runway.Requirement) bool { return q.MetBy == 0 && eligible(p.User.Grants, q, pr.Team) }) {
		return "It needs " + unmetList(pr.Requirements) + ", and you hold none of these roles."
	}
	return ""
}

// List lists promotions the reader may see.
func (s *Promoter) List(ctx context.Context, p access.Principal, f runway.PromotionFilter) ([]*runway.Promotion, error) {
	if err := access.Require(p, access.ReadCatalog, ""); err != nil {
		return nil, err
	}
	if !access.Allowed(p, access.ReadCandidates, "") {
		f.Teams = teamsOf(p)
	}
	ps, err := s.Promotions.FindPromotions(ctx, f)
	for _, pr := range ps {
		match(pr, s.clock())
	}
	return ps, err
}

// Inbox lists the open requests the reader could approve now.
func (s *Promoter) Inbox(ctx context.Context, p access.Principal) ([]*runway.Promotion, error) {
	if err := access.Require(p, access.ReadCatalog, ""); err != nil {
		return nil, err
	}
	var out []*runway.Promotion
	f := runway.PromotionFilter{States: []runway.PromotionState{runway.PromotionPending}, Page: runway.Page{Limit: 200}}
	for {
		ps, err := s.Promotions.FindPromotions(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, pr := range ps {
			match(pr, s.clock())
			if cannotAnswer(pr, p, s.clock()) == "" {
				out = append(out, pr)
			}
		}
		if len(ps) < f.Limit {
			return out, nil
		}
		f.After = ps[len(ps)-1].ID
	}
}

// teamsOf lists the teams p belongs to.
func teamsOf(p access.Principal) []string {
	out := []string{}
	for _, g := range p.User.Grants {
		if g.Team != "" && !slices.Contains(out, g.Team) {
			out = append(out, g.Team)
		}
	}
	return out
}
