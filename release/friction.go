package release

import (
	"context"
	"slices"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/access"
)

// Friction is how much approvals cost people: the success metrics' view of
// promotions.
type Friction struct {
	Requests int `json:"requests"`
	// Decided counts requests that started, were scheduled or rejected.
	Decided      int     `json:"decided"`
	AutoApproved int     `json:"auto_approved"`
	AutoShare    float64 `json:"auto_approved_share"`
	Rejected     int     `json:"rejected"`
	Expired      int     `json:"expired"`
	Voided       int     `json:"voided"`
	// Time from request to decision for requests people decided, in
	// seconds.
	DecisionP50 float64 `json:"decision_seconds_p50"`
	DecisionP90 float64 `json:"decision_seconds_p90"`
	Reminders   int     `json:"reminders_sent"`
}

// Friction summarises the promotions the reader may see.
func (s *Promoter) Friction(ctx context.Context, p access.Principal) (*Friction, error) {
	f := &Friction{}
	var waits []time.Duration
	filter := runway.PromotionFilter{Page: runway.Page{Limit: 500}}
	for {
		ps, err := s.List(ctx, p, filter)
		if err != nil {
			return nil, err
		}
		for _, pr := range ps {
			f.Requests++
			f.Reminders += pr.RemindersSent
			switch pr.State {
			case runway.PromotionRejected:
				f.Rejected++
			case runway.PromotionExpired:
				f.Expired++
			case runway.PromotionVoided:
				f.Voided++
			}
			if pr.AutoApproved {
				f.AutoApproved++
			}
			decided := pr.State == runway.PromotionStarted || pr.State == runway.PromotionRejected || pr.State == runway.PromotionScheduled
			if decided {
				f.Decided++
			}
			if decided && !pr.AutoApproved && pr.DecidedAt != nil {
				waits = append(waits, pr.DecidedAt.Sub(pr.CreatedAt))
			}
		}
		if len(ps) < filter.Limit {
			break
		}
		filter.After = ps[len(ps)-1].ID
	}
	if f.Requests > 0 {
		f.AutoShare = float64(f.AutoApproved) / float64(f.Requests)
	}
	f.DecisionP50, f.DecisionP90 = quantile(waits, 0.5), quantile(waits, 0.9)
	return f, nil
}

// quantile returns the q-quantile of ds in seconds (nearest rank), 0 for
// none.
func quantile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return s[i].Seconds()
}
