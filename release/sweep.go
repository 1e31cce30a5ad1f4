package release

import (
	"context"
	"errors"
	"fmt"

	"github.com/runwayhq/runway"
)

// Sweep does what time decides, for every promotion that is due: a
// scheduled promotion whose window opened starts (its approvals checked
// again in the same transaction), a request past its expiry expires, and
// the approvers of a request about to expire are reminded once. It runs
// as a periodic job; running it twice does no harm.
func (s *Promoter) Sweep(ctx context.Context) error {
	ctx = runway.WithActor(ctx, "runway")
	due, err := s.Promotions.DuePromotions(ctx, s.clock(), s.Rules.remindBefore(3))
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range due {
		if err := s.sweepOne(ctx, d); err != nil {
			errs = append(errs, fmt.Errorf("promotion %d of %s: %w", d.ID, d.App, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Promoter) sweepOne(ctx context.Context, d runway.DuePromotion) error {
	pr, err := s.Promotions.FindPromotion(ctx, d.ID)
	if err != nil {
		return err
	}
	fresh, err := s.refresher(ctx, pr)
	if err != nil {
		return err
	}
	_, err = s.Promotions.ChangePromotion(ctx, d.App, d.ID, func(tx *runway.PromotionTx) error {
		if err := fresh(tx); err != nil {
			return err
		}
		pr := tx.Promotion
		switch {
		case !pr.State.Open():
			return nil
		case pr.State == runway.PromotionScheduled && pr.ScheduledFor != nil && !tx.Now.Before(*pr.ScheduledFor):
			if match(pr, tx.Now) > 0 {
				pr.State, pr.ScheduledFor = runway.PromotionPending, nil
				pr.Outcome = "Its approvals ran out before the release window opened; it waits for " + unmetList(pr.Requirements) + " again."
				tx.Events = append(tx.Events, runway.Event{Action: "promotion.reopen", Data: map[string]any{"reason": "approvals expired before the window"}})
				tx.Notices = append(tx.Notices, s.notice(pr, runway.NoticeApprovalNeeded, "runway", tx.Now))
				return nil
			}
			return s.proceed(tx, "runway")
		case pr.State == runway.PromotionPending && pr.RemindersSent == 0 && !tx.Now.Before(pr.ExpiresAt.Add(-s.Rules.remindBefore(pr.Tier))):
			match(pr, tx.Now)
			pr.RemindersSent++
			tx.Events = append(tx.Events, runway.Event{Action: "promotion.remind", Data: map[string]any{"waiting_for": unmetList(pr.Requirements)}})
			tx.Notices = append(tx.Notices, s.notice(pr, runway.NoticeApprovalReminder, "runway", tx.Now))
		}
		return nil
	})
	return err
}

// Supersede voids the app's open promotions of older candidates at once
// after a submission, and tells their requesters. (Answers and starts
// check the candidate again anyway; this makes the news immediate.)
func (s *Promoter) Supersede(ctx context.Context, p string, app string) error {
	ctx = runway.WithActor(ctx, p)
	_, err := s.Promotions.ChangePromotion(ctx, app, 0, func(tx *runway.PromotionTx) error {
		for _, o := range tx.Open {
			if o.Candidate != tx.Latest.Number || o.CandidateDigest != tx.Latest.Digest {
				s.void(tx, o, fmt.Sprintf("candidate #%d was submitted after this request; promote it to ask again", tx.Latest.Number))
			}
		}
		return nil
	})
	return err
}
