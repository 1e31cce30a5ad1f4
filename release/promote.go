package release

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
	"github.com/runwayhq/runway/sbomdiff"
	"github.com/runwayhq/runway/window"
)

// Promoter runs promotion requests: who must approve, the approvals, the
// release windows, and the start of the deployment.
type Promoter struct {
	Apps       runway.AppStore
	Candidates runway.CandidateStore
	Promotions runway.PromotionStore
	People     runway.UserStore
	// Policies decide a candidate per environment (the server's policies).
	Policies runway.EnvironmentDecider
	Rules    Rules
	// Windows are the release windows and freezes; nil is always open.
	Windows *window.Calendar
	// URL makes the web address of a promotion for notices.
	URL func(id int64) string
	// Now is the clock for reading promotions (time.Now when nil); changes
	// use the store's clock.
	Now func() time.Time
}

// PromoteRequest asks to move a candidate to an environment.
type PromoteRequest struct {
	App         string             `json:"-"`
	Environment runway.Environment `json:"environment"`
	// Candidate is the candidate's number; 0 means the newest.
	Candidate int    `json:"candidate,omitempty"`
	Note      string `json:"note,omitempty"`
	// BreakGlass asks for an emergency release: Note must say why, and a
	// second person must confirm it.
	BreakGlass bool `json:"break_glass,omitempty"`
}

// Promote records a promotion request and works out who must approve. A
// request nobody must approve starts its deployment at once (or is
// scheduled for the next release window). A newer request for the same
// environment replaces an open one.
func (s *Promoter) Promote(ctx context.Context, p access.Principal, req PromoteRequest) (*runway.Promotion, error) {
	if !slices.Contains(runway.Environments, req.Environment) {
		return nil, runway.Errorf(runway.EINVALID, "environment %q: promote to sandbox, staging or production", req.Environment)
	}
	app, err := s.Apps.FindApp(ctx, req.App)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.Promote, app.Team); err != nil {
		return nil, err
	}
	req.Note = strings.TrimSpace(req.Note)
	if req.BreakGlass && len(req.Note) < 10 {
		return nil, runway.Errorf(runway.EINVALID, "a break-glass release needs a reason of at least 10 characters in --reason: say what is broken and why it cannot wait for the usual approvals")
	}
	ctx = runway.WithActor(ctx, p.Actor())
	c, err := s.candidate(ctx, app.Name, req.Candidate)
	if err != nil {
		return nil, err
	}
	v, err := s.verdict(ctx, app, c, req.Environment)
	if err != nil {
		return nil, err
	}
	if err := promotable(app, c, v, req.Environment); err != nil {
		return nil, err
	}
	leads, err := s.teamLeads(ctx, app.Team)
	if err != nil {
		return nil, err
	}
	sbom, change, err := s.sbomChange(ctx, app.Name, c)
	if err != nil {
		return nil, err
	}
	return s.Promotions.ChangePromotion(ctx, app.Name, 0, func(tx *runway.PromotionTx) error {
		if tx.Latest.Number != c.Number {
			return runway.Errorf(runway.ECONFLICT, "candidate #%d of %s is not the newest (#%d is): promote the newest one", c.Number, app.Name, tx.Latest.Number)
		}
		pr := &runway.Promotion{
			App: app.Name, Team: app.Team, Environment: req.Environment, Candidate: c.Number, Tier: v.Tier,
			CandidateDigest: c.SourceDigest, DecisionDigest: v.Digest(), SBOMDigest: sbom,
			SubmittedBy: c.SubmittedBy, RequestedBy: p.Actor(), Note: req.Note, BreakGlass: req.BreakGlass,
			State: runway.PromotionPending, ExpiresAt: tx.Now.Add(s.Rules.expiry(v.Tier)), Approvals: []runway.Approval{},
		}
		pr.Requirements = s.Rules.requirements(v, app, req.Environment, pr, leads)
		pr.Why = explain(app, v, pr)
		tx.Promotion = pr
		for _, o := range tx.Open {
			if o.Environment == req.Environment {
				s.void(tx, o, fmt.Sprintf("replaced by a newer request (for candidate #%d) from %s", c.Number, who(p.Actor())))
			}
		}
		action := "promotion.request"
		if req.BreakGlass {
			action = "promotion.break_glass.request"
		}
		tx.Events = append(tx.Events, runway.Event{Action: action, Data: map[string]any{
			"app": app.Name, "environment": req.Environment, "candidate": c.Number, "candidate_digest": c.SourceDigest,
			"decision_digest": pr.DecisionDigest, "tier": v.Tier, "requirements": pr.Requirements, "note": req.Note,
		}})
		if len(pr.Requirements) == 0 {
			pr.AutoApproved = true
			return s.proceed(tx, p.Actor())
		}
		n := s.notice(pr, runway.NoticeApprovalNeeded, p.Actor(), tx.Now)
		n.Findings, n.SBOMChange = &c.Findings, change
		tx.Notices = append(tx.Notices, n)
		if req.BreakGlass {
			bg := s.notice(pr, runway.NoticeBreakGlass, p.Actor(), tx.Now)
			bg.Text = append([]string{"Reason given: " + req.Note}, bg.Text...)
			tx.Notices = append(tx.Notices, bg)
		}
		return nil
	})
}

// promotable refuses what policy and the tier matrix do not allow at all.
func promotable(app *runway.App, c *runway.Candidate, v *runway.PolicyVerdict, env runway.Environment) error {
	if v.Decision == runway.DecisionBlocked {
		msg := fmt.Sprintf("candidate #%d of %s cannot go to %s: the policies block it", c.Number, app.Name, env)
		if len(v.Denies) > 0 {
			msg += ":\n  - " + strings.Join(v.Denies, "\n  - ")
		}
		return runway.Errorf(runway.EPOLICY, "%s\nFix these, run `runway check` and submit again.", msg)
	}
	if v.Tier == 1 && env != runway.EnvSandbox {
		return runway.Errorf(runway.EPOLICY, "%s is a tier 1 app (personal, no sensitive data), and tier 1 apps run only in their sandbox. To put it in front of your team, set `audience: team` in runway.yaml, run `runway check`, submit, and promote again: it becomes tier 2 and needs a team lead's approval", app.Name)
	}
	return nil
}

// candidate returns the app's candidate number n, or its newest for 0.
func (s *Promoter) candidate(ctx context.Context, app string, n int) (*runway.Candidate, error) {
	if n == 0 {
		cs, err := s.Candidates.FindCandidates(ctx, runway.CandidateFilter{App: app, Page: runway.Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, runway.Errorf(runway.ENOTFOUND, "%s has no candidate yet: run `runway check` and `runway submit` in its folder first", app)
		}
		n = cs[0].Number
	}
	return s.Candidates.FindCandidate(ctx, app, n)
}

// verdict decides the candidate for env with the server's policies now.
func (s *Promoter) verdict(ctx context.Context, app *runway.App, c *runway.Candidate, env runway.Environment) (*runway.PolicyVerdict, error) {
	r := serverReport(c.Report)
	m := app.Manifest
	ws := &runway.Workspace{Manifest: &m, Inventory: func() (*runway.Inventory, error) { return c.Inventory, nil }}
	v, err := s.Policies.DecideFor(ctx, env, ws, r)
	if err != nil {
		return nil, fmt.Errorf("decide on %s for %s: %w", app.Name, env, err)
	}
	return v, nil
}

// teamLeads lists the team's team leads as actors.
func (s *Promoter) teamLeads(ctx context.Context, team string) ([]string, error) {
	us, err := s.People.FindUsersWithRole(ctx, runway.RoleTeamLead, team)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = "user:" + u.Email
	}
	return out, nil
}

// sbomChange returns the candidate's SBOM digest and, in plain words, what
// changed since the app's last production release.
func (s *Promoter) sbomChange(ctx context.Context, app string, c *runway.Candidate) (string, string, error) {
	doc, err := s.Candidates.FindSBOM(ctx, app, c.Number, runway.SBOMCycloneDX)
	if err != nil && runway.ErrorCode(err) != runway.ENOTFOUND {
		return "", "", err
	}
	before, err := s.productionInventory(ctx, app)
	if err != nil {
		return "", "", err
	}
	return runway.SBOMDigest(doc), sbomdiff.Diff(before, c.Inventory).Summary(), nil
}

// productionInventory is the inventory of the candidate last deployed to
// production, nil when there is none.
func (s *Promoter) productionInventory(ctx context.Context, app string) (*runway.Inventory, error) {
	ds, err := s.Promotions.FindDeployments(ctx, app, runway.Page{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Environment == runway.EnvProduction {
			c, err := s.Candidates.FindCandidate(ctx, app, d.Candidate)
			if err != nil {
				return nil, err
			}
			return c.Inventory, nil
		}
	}
	return nil, nil
}

// proceed starts the deployment of an approved promotion, or schedules it
// for the next release window. Only break-glass skips the window.
func (s *Promoter) proceed(tx *runway.PromotionTx, actor string) error {
	p := tx.Promotion
	if !p.BreakGlass {
		if st := s.Windows.Check(p.Tier, p.Environment, tx.Now); !st.Open {
			if st.NextOpen.IsZero() {
				p.State, p.Outcome = runway.PromotionPending, "Approved, but no release window opens in the next 400 days: "+st.Why+" Ask the platform team, or use break-glass."
				return nil
			}
			at := st.NextOpen
			p.State, p.ScheduledFor = runway.PromotionScheduled, &at
			p.Outcome = fmt.Sprintf("Approved. %s It will start then by itself.", st.Why)
			tx.Events = append(tx.Events, runway.Event{Action: "promotion.schedule", Data: map[string]any{"at": at, "window": st.Window}})
			tx.Notices = append(tx.Notices, s.outcome(p, actor, tx.Now))
			return nil
		}
	}
	now := tx.Now
	p.State, p.DecidedAt, p.ScheduledFor = runway.PromotionStarted, &now, nil
	p.Outcome = fmt.Sprintf("Approved; deployment of candidate #%d to %s started.", p.Candidate, p.Environment)
	if p.AutoApproved {
		p.Outcome = fmt.Sprintf("Nobody needs to approve it; deployment of candidate #%d to %s started.", p.Candidate, p.Environment)
	}
	tx.Deployment = &runway.Deployment{Environment: p.Environment, Candidate: p.Candidate, CandidateDigest: p.CandidateDigest,
		State: runway.DeploymentQueued, BreakGlass: p.BreakGlass, StartedBy: actor}
	tx.Events = append(tx.Events, runway.Event{Action: "promotion.start", Data: map[string]any{
		"candidate": p.Candidate, "candidate_digest": p.CandidateDigest, "decision_digest": p.DecisionDigest, "approvals": approvalIDs(p, tx.Now), "break_glass": p.BreakGlass,
	}})
	tx.Notices = append(tx.Notices, s.outcome(p, actor, tx.Now))
	return nil
}

// approvalIDs lists the approvals that count now, for the audit entry.
func approvalIDs(p *runway.Promotion, now time.Time) []int64 {
	var out []int64
	for _, a := range p.Approvals {
		if current(p, &a, now) {
			out = append(out, a.ID)
		}
	}
	return out
}

// void ends an open promotion and voids its approvals.
func (s *Promoter) void(tx *runway.PromotionTx, p *runway.Promotion, why string) {
	now := tx.Now
	p.State, p.DecidedAt, p.Outcome, p.ScheduledFor = runway.PromotionVoided, &now, Sentence("Voided: "+why), nil
	voidApprovals(p, now, why)
	tx.Events = append(tx.Events, runway.Event{Action: "promotion.void", Subject: fmt.Sprintf("promotion:%d", p.ID), Data: map[string]any{"reason": why}})
	tx.Notices = append(tx.Notices, s.outcome(p, "runway", now))
}

func voidApprovals(p *runway.Promotion, now time.Time, why string) {
	for i := range p.Approvals {
		a := &p.Approvals[i]
		if a.VoidedAt == nil {
			a.VoidedAt, a.VoidReason = &now, why
		}
	}
}

// who turns "user:EMAIL" into EMAIL for messages.
func who(actor string) string { return strings.TrimPrefix(actor, "user:") }
