package release

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Answer is an approver's answer to a promotion request.
type Answer struct {
	Verdict runway.Verdict `json:"verdict"`
	// Reason is required to reject; optional to approve.
	Reason string `json:"reason,omitempty"`
	// As picks the role to approve in, for someone who holds several.
	As runway.Role `json:"as,omitempty"`
	// Via says where the answer was given: web, cli, slack.
	Via string `json:"-"`
}

// Answer records an approval or a rejection. Everything is checked again
// inside the transaction that records it and, when it is the last
// approval needed, starts the deployment: the request is still open, the
// candidate is still the newest, the policy decision is unchanged, the
// approver did not submit the candidate nor ask for the promotion, and
// each person counts once.
func (s *Promoter) Answer(ctx context.Context, p access.Principal, id int64, ans Answer) (*runway.Promotion, error) {
	ans.Reason = strings.TrimSpace(ans.Reason)
	switch {
	case ans.Verdict != runway.Approve && ans.Verdict != runway.Reject:
		return nil, runway.Errorf(runway.EINVALID, "verdict %q: answer approve or reject", ans.Verdict)
	case ans.Verdict == runway.Reject && ans.Reason == "":
		return nil, runway.Errorf(runway.EINVALID, "say why you reject it (--reason): the requester needs to know what to fix")
	case len(ans.Reason) > 2000:
		return nil, runway.Errorf(runway.EINVALID, "the reason is %d characters long; keep it under 2,000", len(ans.Reason))
	}
	pr, err := s.Promotions.FindPromotion(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.Approve, pr.Team); err != nil {
		return nil, err
	}
	ctx = runway.WithActor(ctx, p.Actor())
	fresh, err := s.refresher(ctx, pr)
	if err != nil {
		return nil, err
	}
	out, err := s.Promotions.ChangePromotion(ctx, pr.App, id, func(tx *runway.PromotionTx) error {
		if err := fresh(tx); err != nil {
			return err
		}
		pr := tx.Promotion
		// Who may never answer is told so whatever the request's state.
		if why := sodProblem(pr, p.Actor()); why != "" {
			return runway.Errorf(runway.EFORBIDDEN, "you cannot answer this request: %s", why)
		}
		if !slices.ContainsFunc(pr.Requirements, func(q runway.Requirement) bool { return eligible(p.User.Grants, q, pr.Team) }) {
			return runway.Errorf(runway.EFORBIDDEN, "this request needs %s; you hold none of these roles", needList(pr.Requirements))
		}
		if !pr.State.Open() {
			return runway.Errorf(runway.ECONFLICT, "promotion request %d is %s: %s", pr.ID, pr.State, pr.Outcome)
		}
		for _, a := range pr.Approvals {
			if a.By == p.Actor() && current(pr, &a, tx.Now) {
				return runway.Errorf(runway.ECONFLICT, "you already approved promotion request %d (%s); each person counts once", pr.ID, a.Role)
			}
		}
		match(pr, tx.Now)
		q, err := requirementFor(pr, p.User.Grants, ans.As)
		if err != nil && !(ans.Verdict == runway.Reject && runway.ErrorCode(err) == runway.ECONFLICT) {
			return err
		}
		a := runway.Approval{By: p.Actor(), Verdict: ans.Verdict, Reason: ans.Reason, Via: ans.Via,
			CandidateDigest: pr.CandidateDigest, DecisionDigest: pr.DecisionDigest, ExpiresAt: tx.Now.Add(s.Rules.expiry(pr.Tier))}
		if q != nil {
			a.Kind, a.Role = q.Kind, q.Role
		} else {
			a.Kind, a.Role = runway.RequireApproval, firstEligibleRole(pr, p.User.Grants)
		}
		if a.Kind == runway.RequireSBOMSignoff {
			a.SBOMDigest = pr.SBOMDigest
		}
		pr.Approvals = append(pr.Approvals, a)
		if ans.Verdict == runway.Reject {
			now := tx.Now
			pr.State, pr.DecidedAt, pr.ScheduledFor = runway.PromotionRejected, &now, nil
			pr.Outcome = fmt.Sprintf("Rejected by %s: %s", who(p.Actor()), ans.Reason)
			tx.Events = append(tx.Events, runway.Event{Action: "promotion.reject", Data: map[string]any{"by": p.Actor(), "reason": ans.Reason, "via": ans.Via}})
			tx.Notices = append(tx.Notices, s.outcome(pr, p.Actor(), tx.Now))
			return nil
		}
		action := "promotion.approve"
		if a.Kind == runway.RequireBreakGlass {
			action = "promotion.break_glass.confirm"
		}
		tx.Events = append(tx.Events, runway.Event{Action: action, Data: map[string]any{
			"by": p.Actor(), "role": a.Role, "kind": a.Kind, "via": ans.Via, "reason": ans.Reason,
			"candidate_digest": a.CandidateDigest, "decision_digest": a.DecisionDigest, "sbom_digest": a.SBOMDigest,
		}})
		if match(pr, tx.Now) > 0 {
			pr.Outcome = "Waiting for " + unmetList(pr.Requirements) + "."
			return nil
		}
		return s.proceed(tx, p.Actor())
	})
	if out != nil {
		match(out, s.clock())
	}
	return out, err
}

// firstEligibleRole is the role a rejection is recorded in when every
// requirement the person could meet is met already.
func firstEligibleRole(p *runway.Promotion, grants []runway.RoleGrant) runway.Role {
	for _, q := range p.Requirements {
		if eligible(grants, q, p.Team) {
			return q.Role
		}
	}
	if len(grants) > 0 {
		return grants[0].Role
	}
	return ""
}

// Cancel withdraws an open request; only the person who asked, or an
// admin, may.
func (s *Promoter) Cancel(ctx context.Context, p access.Principal, id int64, reason string) (*runway.Promotion, error) {
	pr, err := s.Promotions.FindPromotion(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := access.Require(p, access.Promote, pr.Team); err != nil {
		return nil, err
	}
	ctx = runway.WithActor(ctx, p.Actor())
	return s.Promotions.ChangePromotion(ctx, pr.App, id, func(tx *runway.PromotionTx) error {
		pr := tx.Promotion
		if pr.RequestedBy != p.Actor() && !access.Allowed(p, access.CreateUser, "") {
			return runway.Errorf(runway.EFORBIDDEN, "only %s, who asked for it, or an admin, may withdraw promotion request %d", who(pr.RequestedBy), pr.ID)
		}
		if !pr.State.Open() {
			return runway.Errorf(runway.ECONFLICT, "promotion request %d is already %s", pr.ID, pr.State)
		}
		now := tx.Now
		pr.State, pr.DecidedAt, pr.ScheduledFor = runway.PromotionCancelled, &now, nil
		pr.Outcome = "Withdrawn by " + who(p.Actor())
		if reason = strings.TrimSpace(reason); reason != "" {
			pr.Outcome += ": " + reason
		}
		voidApprovals(pr, now, "the request was withdrawn")
		tx.Events = append(tx.Events, runway.Event{Action: "promotion.cancel", Data: map[string]any{"reason": reason}})
		return nil
	})
}

// refresher decides the promotion's candidate again with today's policies
// (outside the transaction: it takes milliseconds) and returns the check
// to run inside it: a newer candidate voids the request; a changed
// decision voids its approvals and recomputes what it needs.
func (s *Promoter) refresher(ctx context.Context, pr *runway.Promotion) (func(tx *runway.PromotionTx) error, error) {
	app, err := s.Apps.FindApp(ctx, pr.App)
	if err != nil {
		return nil, err
	}
	c, err := s.Candidates.FindCandidate(ctx, pr.App, pr.Candidate)
	if err != nil {
		return nil, err
	}
	v, err := s.verdict(ctx, app, c, pr.Environment)
	if err != nil {
		return nil, err
	}
	leads, err := s.teamLeads(ctx, app.Team)
	if err != nil {
		return nil, err
	}
	sbom, _, err := s.sbomChange(ctx, app.Name, c)
	if err != nil {
		return nil, err
	}
	return func(tx *runway.PromotionTx) error {
		pr := tx.Promotion
		if !pr.State.Open() {
			return nil
		}
		if tx.Latest.Number != pr.Candidate || tx.Latest.Digest != pr.CandidateDigest {
			s.void(tx, pr, fmt.Sprintf("candidate #%d was submitted after this request; promote it to ask again", tx.Latest.Number))
			return nil
		}
		if !tx.Now.Before(pr.ExpiresAt) {
			s.expire(tx, pr)
			return nil
		}
		if d := v.Digest(); d != pr.DecisionDigest || sbom != pr.SBOMDigest {
			why := "the policy decision changed since the request"
			if d == pr.DecisionDigest {
				why = "the SBOM changed since the request"
			}
			if err := promotable(app, c, v, pr.Environment); err != nil {
				s.void(tx, pr, why+": "+runway.ErrorMessage(err))
				return nil
			}
			voidApprovals(pr, tx.Now, why)
			pr.DecisionDigest, pr.SBOMDigest, pr.Tier = d, sbom, v.Tier
			pr.Requirements = s.Rules.requirements(v, app, pr.Environment, pr, leads)
			pr.Why = explain(app, v, pr)
			tx.Events = append(tx.Events, runway.Event{Action: "promotion.redecide", Data: map[string]any{"reason": why, "decision_digest": d, "requirements": pr.Requirements}})
		}
		return nil
	}, nil
}

// expire ends a request that was not decided in time.
func (s *Promoter) expire(tx *runway.PromotionTx, pr *runway.Promotion) {
	now := tx.Now
	pr.State, pr.DecidedAt, pr.ScheduledFor = runway.PromotionExpired, &now, nil
	pr.Outcome = fmt.Sprintf("Expired: it was not approved by %s. Promote again to ask anew.", pr.ExpiresAt.Format("2 Jan 2006 15:04 MST"))
	voidApprovals(pr, now, "the request expired")
	tx.Events = append(tx.Events, runway.Event{Action: "promotion.expire", Data: map[string]any{"expires_at": pr.ExpiresAt}})
	tx.Notices = append(tx.Notices, s.outcome(pr, "runway", now))
}
