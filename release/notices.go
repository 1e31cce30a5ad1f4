package release

import (
	"fmt"
	"time"

	"github.com/runwayhq/runway"
)

// notice describes a promotion for approvers.
func (s *Promoter) notice(p *runway.Promotion, kind runway.NoticeKind, actor string, now time.Time) runway.Notice {
	n := runway.Notice{
		Kind: kind, App: p.App, Team: p.Team, Environment: p.Environment, Tier: p.Tier, Candidate: p.Candidate,
		PromotionID: p.ID, Actor: actor, At: now, URL: s.url(p.ID), Text: p.Why,
	}
	for _, q := range p.Requirements {
		if q.MetBy == 0 {
			n.Requested = append(n.Requested, q.Role)
		}
	}
	switch kind {
	case runway.NoticeApprovalNeeded:
		n.Title = fmt.Sprintf("%s asks to promote %s #%d to %s", who(actor), p.App, p.Candidate, p.Environment)
	case runway.NoticeApprovalReminder:
		n.Title = fmt.Sprintf("Reminder: %s #%d to %s waits for approval until %s", p.App, p.Candidate, p.Environment, p.ExpiresAt.Format("Mon 2 Jan 15:04 MST"))
	case runway.NoticeBreakGlass:
		n.Title = fmt.Sprintf("BREAK-GLASS: %s asks for an emergency release of %s #%d to %s", who(actor), p.App, p.Candidate, p.Environment)
	}
	return n
}

// outcome tells the requester how their request stands.
func (s *Promoter) outcome(p *runway.Promotion, actor string, now time.Time) runway.Notice {
	n := runway.Notice{
		Kind: runway.NoticePromotionOutcome, App: p.App, Team: p.Team, Environment: p.Environment, Tier: p.Tier, Candidate: p.Candidate,
		Actor: actor, At: now, URL: s.url(p.ID), To: []string{p.RequestedBy}, Text: []string{p.Outcome},
		Title: fmt.Sprintf("%s #%d to %s: %s", p.App, p.Candidate, p.Environment, p.State),
	}
	return n
}

func (s *Promoter) url(id int64) string {
	if s.URL == nil {
		return ""
	}
	return s.URL(id)
}
