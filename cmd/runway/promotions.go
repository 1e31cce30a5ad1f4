package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runwayhq/runway"
	"github.com/runwayhq/runway/config"
	"github.com/runwayhq/runway/egress"
	"github.com/runwayhq/runway/elevate"
	"github.com/runwayhq/runway/jobs"
	"github.com/runwayhq/runway/notify"
	"github.com/runwayhq/runway/opa"
	"github.com/runwayhq/runway/release"
	"github.com/runwayhq/runway/window"
)

// openPromotions wires promotion requests, elevated access, notices and
// the jobs that keep time for them (the sweeper and the expiry of access).
func (s *server) openPromotions(ctx context.Context, opt opa.Options) error {
	engines, err := opa.NewEnvironmentEngines(ctx, opt)
	if err != nil {
		return err
	}
	cal, err := calendar(s.cfg.Approvals)
	if err != nil {
		return err
	}
	rules, err := approvalRules(s.cfg.Approvals)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.url, "/")
	s.promoter = &release.Promoter{Apps: s.store, Candidates: s.store, Promotions: s.store, People: s.store,
		Policies: engines, Rules: rules, Windows: cal, URL: func(id int64) string { return fmt.Sprintf("%s/approvals/%d", base, id) }}
	s.release.Promoter = s.promoter
	s.access = &elevate.Service{Grants: s.store, Apps: s.store}
	if s.channels, err = channels(s.cfg.Notify); err != nil {
		return err
	}
	s.store.SetOutbox(func(ctx context.Context, tx *sql.Tx, n runway.Notice) error {
		for _, c := range s.channels {
			if !c.wants(n.Kind) {
				continue
			}
			if _, err := s.queue.EnqueueTx(ctx, tx, deliverJob{Channel: c.Name(), Notice: n}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err := jobs.Register(s.queue, s.deliver); err != nil {
		return err
	}
	return s.scheduleSweep(ctx)
}

// sweepEvery is how often time-driven changes run: scheduled promotions
// whose window opened, expiries, reminders, and the end of elevated access
// (which stops counting at its expiry anyway).
const sweepEvery = 30 * time.Second

// sweepJob runs the sweeper.
type sweepJob struct{}

// Kind names the job in the queue.
func (sweepJob) Kind() string { return "promotions.sweep" }

// scheduleSweep registers the sweeper, which schedules itself again after
// each run; unique jobs keep several processes from running one each.
func (s *server) scheduleSweep(ctx context.Context) error {
	err := jobs.Register(s.queue, func(ctx context.Context, _ sweepJob) error {
		if err := errors.Join(s.promoter.Sweep(ctx), s.access.Expire(ctx)); err != nil {
			s.log.WarnContext(ctx, "sweep failed; it runs again", "error", err.Error())
		}
		_, err := s.queue.Enqueue(ctx, sweepJob{}, &jobs.EnqueueOptions{Unique: true, RunAt: time.Now().Add(sweepEvery)})
		return err
	})
	if err != nil {
		return err
	}
	_, err = s.queue.Enqueue(ctx, sweepJob{}, &jobs.EnqueueOptions{Unique: true})
	return err
}

// deliverJob sends one notice to one channel; River retries it with
// backoff until the channel takes it or refuses it for good.
type deliverJob struct {
	Channel string        `json:"channel"`
	Notice  runway.Notice `json:"notice"`
}

// Kind names the job in the queue.
func (deliverJob) Kind() string { return "notify.deliver" }

func (s *server) deliver(ctx context.Context, j deliverJob) error {
	i := slices.IndexFunc(s.channels, func(c channel) bool { return c.Name() == j.Channel })
	if i < 0 {
		return jobs.Cancel(fmt.Errorf("channel %s is no longer configured; notice %q dropped", j.Channel, j.Notice.Title))
	}
	err := s.channels[i].Send(ctx, j.Notice)
	if err != nil && runway.ErrorCode(err) == runway.EINVALID {
		s.log.ErrorContext(ctx, "notice refused for good", "channel", j.Channel, "kind", string(j.Notice.Kind), "error", err.Error())
		return jobs.Cancel(err)
	}
	return err
}

// channel is a notify.Channel with the notice kinds it takes (nil: all).
type channel struct {
	notify.Channel
	kinds []string
}

func (c channel) wants(k runway.NoticeKind) bool {
	return c.kinds == nil || slices.Contains(c.kinds, string(k))
}

// channels builds the configured notice channels, each with an SSRF-safe
// HTTP client.
func channels(n config.Notify) ([]channel, error) {
	opts := egress.Options{AllowHosts: n.AllowPrivateHosts}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	hc := egress.NewClient(opts)
	var out []channel
	if sl := n.Slack; sl.WebhookURL != "" || sl.BotToken != "" {
		out = append(out, channel{Channel: &notify.Slack{WebhookURL: sl.WebhookURL, BotToken: sl.BotToken, Channel: sl.Channel, APIURL: sl.APIURL,
			Interactive: sl.BotToken != "" && sl.SigningSecret != "", HTTP: hc}})
	}
	if n.Teams.WebhookURL != "" {
		out = append(out, channel{Channel: &notify.Teams{WebhookURL: n.Teams.WebhookURL, HTTP: hc}})
	}
	for _, h := range n.Webhooks {
		out = append(out, channel{Channel: &notify.Webhook{Label: h.Name, URL: h.URL, Secret: h.Secret, HTTP: hc}, kinds: h.Events})
	}
	return out, nil
}

// calendar compiles the configured release windows and freezes.
func calendar(a config.Approvals) (*window.Calendar, error) {
	var specs []window.Spec
	add := func(ws []config.Window, freeze bool) {
		for _, w := range ws {
			sp := window.Spec{Name: w.Name, Cron: w.Cron, Duration: time.Duration(w.Duration), From: w.From, To: w.To,
				TimeZone: w.TimeZone, Freeze: freeze, Reason: w.Reason}
			for _, t := range w.Tiers {
				sp.Tiers = append(sp.Tiers, runway.Tier(t))
			}
			for _, e := range w.Environments {
				sp.Environments = append(sp.Environments, runway.Environment(e))
			}
			specs = append(specs, sp)
		}
	}
	add(a.Windows, false)
	add(a.Freezes, true)
	cal, err := window.Compile(specs)
	if err != nil {
		return nil, fmt.Errorf("approvals.windows/freezes in the config file: %w", err)
	}
	return cal, nil
}

// approvalRules turns the configuration into release.Rules.
func approvalRules(a config.Approvals) (release.Rules, error) {
	r := release.Rules{RemindBefore: time.Duration(a.RemindBefore), FallbackRole: runway.Role(a.FallbackRole), Expiry: map[runway.Tier]time.Duration{}}
	for k, d := range a.Expiry {
		t, err := strconv.Atoi(k)
		if err != nil || t < 1 || t > 3 || d <= 0 {
			return r, runway.Errorf(runway.EINVALID, "approvals.expiry: %q: %v; give tiers 1, 2, 3 a duration such as 168h", k, time.Duration(d))
		}
		r.Expiry[runway.Tier(t)] = time.Duration(d)
	}
	return r, nil
}
