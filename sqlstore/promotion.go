package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// OutboxFunc queues a notice inside the transaction that caused it, so
// that the notice is sent if and only if the change commits.
type OutboxFunc func(ctx context.Context, tx *sql.Tx, n runway.Notice) error

// SetOutbox sets where notices go; without one they are dropped (tests
// that do not look at notices).
func (db *DB) SetOutbox(f OutboxFunc) { db.outbox = f }

// StepFunc queues a deployment step job inside the transaction that made
// it due.
type StepFunc func(ctx context.Context, tx *sql.Tx, s runway.DeployStep) error

// SetSteps sets where deployment steps go; without it they are dropped
// (tests that do not deploy).
func (db *DB) SetSteps(f StepFunc) { db.steps = f }

func (db *DB) queueStep(ctx context.Context, tx *sql.Tx, s runway.DeployStep) error {
	if db.steps == nil {
		return nil
	}
	return db.steps(ctx, tx, s)
}

// queueNotice hands a notice to the outbox inside tx.
func (db *DB) queueNotice(ctx context.Context, tx *sql.Tx, n runway.Notice) error {
	if db.outbox == nil {
		return nil
	}
	return db.outbox(ctx, tx, n)
}

const promotionColumns = `p.id, a.name, t.name, p.environment, p.candidate, p.tier, p.candidate_digest, p.decision_digest, p.sbom_digest,
	p.submitted_by, p.requested_by, p.note, p.break_glass, p.state, p.requirements, p.why, p.outcome, p.scheduled_for,
	p.expires_at, p.created_at, p.decided_at, p.auto_approved, p.reminders_sent, p.deployment_id`

const promotionFrom = ` FROM promotions p JOIN apps a ON a.id = p.app_id JOIN teams t ON t.id = a.team_id`

// ChangePromotion runs change in one transaction holding the app's lock
// (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer) and stores
// what it leaves. Submitting a candidate takes the same lock, so a change
// sees the app's newest candidate as it is when the change commits.
func (db *DB) ChangePromotion(ctx context.Context, app string, id int64, change func(tx *runway.PromotionTx) error) (*runway.Promotion, error) {
	var out *runway.Promotion
	started := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		lock := ""
		if db.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var appID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM apps WHERE name = ?`+lock), app).Scan(&appID); err != nil {
			return translate(err, "", fmt.Sprintf("there is no app named %q", app))
		}
		ptx := &runway.PromotionTx{Now: db.now().UTC().Truncate(time.Microsecond)}
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT number, source_digest FROM candidates WHERE app_id = ? ORDER BY number DESC LIMIT 1`), appID).
			Scan(&ptx.Latest.Number, &ptx.Latest.Digest)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		err = tx.QueryRowContext(ctx, db.rebind(`SELECT candidate, candidate_digest FROM deployments WHERE app_id = ? AND environment = ? ORDER BY id DESC LIMIT 1`), appID, string(runway.EnvProduction)).
			Scan(&ptx.LastProduction.Number, &ptx.LastProduction.Digest)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		open, err := db.queryPromotions(ctx, tx, ` WHERE p.app_id = ? AND p.state IN (?, ?) AND p.id <> ? ORDER BY p.id`,
			appID, string(runway.PromotionPending), string(runway.PromotionScheduled), id)
		if err != nil {
			return err
		}
		for _, p := range open {
			if err := db.loadApprovals(ctx, tx, p); err != nil {
				return err
			}
		}
		ptx.Open = open
		if id != 0 {
			ps, err := db.queryPromotions(ctx, tx, ` WHERE p.id = ? AND p.app_id = ?`, id, appID)
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				return runway.Errorf(runway.ENOTFOUND, "app %q has no promotion request %d", app, id)
			}
			ptx.Promotion = ps[0]
			if err := db.loadApprovals(ctx, tx, ptx.Promotion); err != nil {
				return err
			}
		}
		if err := change(ptx); err != nil {
			return err
		}
		for _, p := range append(slicesOf(ptx.Promotion), ptx.Open...) {
			if err := db.savePromotion(ctx, tx, appID, p, ptx.Now); err != nil {
				return err
			}
		}
		if d := ptx.Deployment; d != nil {
			if ptx.Promotion == nil {
				return runway.Errorf(runway.EINTERNAL, "a deployment of %s was started without a promotion", app)
			}
			d.App, d.PromotionID, d.CreatedAt, d.UpdatedAt = app, ptx.Promotion.ID, ptx.Now, ptx.Now
			err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO deployments (app_id, environment, candidate, candidate_digest, promotion_id, state, break_glass, started_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), appID, string(d.Environment), d.Candidate, d.CandidateDigest, d.PromotionID, d.State, boolInt(d.BreakGlass), d.StartedBy, d.CreatedAt.UnixMicro(), d.UpdatedAt.UnixMicro()).Scan(&d.ID)
			if err != nil {
				return err
			}
			ptx.Promotion.Deployment = d.ID
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE promotions SET deployment_id = ? WHERE id = ?`), d.ID, ptx.Promotion.ID); err != nil {
				return err
			}
			if err := db.appendAudit(ctx, tx, "deployment.create", fmt.Sprintf("deployment:%d", d.ID), map[string]any{
				"app": app, "environment": d.Environment, "candidate": d.Candidate, "candidate_digest": d.CandidateDigest,
				"promotion": d.PromotionID, "break_glass": d.BreakGlass,
			}); err != nil {
				return err
			}
			if err := db.queueStep(ctx, tx, runway.DeployStep{Deployment: d.ID, Seq: d.Seq}); err != nil {
				return err
			}
		}
		for _, e := range ptx.Events {
			subject := e.Subject
			if subject == "" && ptx.Promotion != nil {
				subject = fmt.Sprintf("promotion:%d", ptx.Promotion.ID)
			}
			if err := db.appendAudit(ctx, tx, e.Action, subject, e.Data); err != nil {
				return err
			}
		}
		for _, n := range ptx.Notices {
			if n.PromotionID == 0 && ptx.Promotion != nil && n.Kind != runway.NoticePromotionOutcome {
				n.PromotionID = ptx.Promotion.ID
			}
			if err := db.queueNotice(ctx, tx, n); err != nil {
				return err
			}
		}
		out = ptx.Promotion
		started = ptx.Deployment != nil
		return nil
	})
	if err == nil && started {
		db.persisted()
	}
	return out, err
}

func slicesOf(p *runway.Promotion) []*runway.Promotion {
	if p == nil {
		return nil
	}
	return []*runway.Promotion{p}
}

// savePromotion inserts a new promotion or updates an existing one's
// changing fields, and inserts its new approvals and voids.
func (db *DB) savePromotion(ctx context.Context, tx *sql.Tx, appID int64, p *runway.Promotion, now time.Time) error {
	reqs, err := json.Marshal(p.Requirements)
	if err != nil {
		return err
	}
	why, err := json.Marshal(p.Why)
	if err != nil {
		return err
	}
	if p.ID == 0 {
		p.CreatedAt = now
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO promotions (app_id, environment, candidate, tier, candidate_digest, decision_digest, sbom_digest,
			submitted_by, requested_by, note, break_glass, state, requirements, why, outcome, scheduled_for, expires_at, created_at, decided_at, auto_approved, reminders_sent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			appID, string(p.Environment), p.Candidate, int(p.Tier), p.CandidateDigest, p.DecisionDigest, p.SBOMDigest,
			p.SubmittedBy, p.RequestedBy, p.Note, boolInt(p.BreakGlass), string(p.State), string(reqs), string(why), p.Outcome,
			micros(p.ScheduledFor), p.ExpiresAt.UnixMicro(), p.CreatedAt.UnixMicro(), micros(p.DecidedAt), boolInt(p.AutoApproved), p.RemindersSent).Scan(&p.ID)
		if err != nil {
			return err
		}
	} else {
		_, err := tx.ExecContext(ctx, db.rebind(`UPDATE promotions SET decision_digest = ?, sbom_digest = ?, state = ?, requirements = ?, why = ?, outcome = ?,
			scheduled_for = ?, expires_at = ?, decided_at = ?, auto_approved = ?, reminders_sent = ? WHERE id = ?`),
			p.DecisionDigest, p.SBOMDigest, string(p.State), string(reqs), string(why), p.Outcome,
			micros(p.ScheduledFor), p.ExpiresAt.UnixMicro(), micros(p.DecidedAt), boolInt(p.AutoApproved), p.RemindersSent, p.ID)
		if err != nil {
			return err
		}
	}
	for i := range p.Approvals {
		a := &p.Approvals[i]
		if a.ID == 0 {
			a.PromotionID, a.CreatedAt = p.ID, now
			err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO approvals (promotion_id, by_actor, kind, role, verdict, reason, via, candidate_digest, decision_digest, sbom_digest, created_at, expires_at, voided_at, void_reason)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
				a.PromotionID, a.By, string(a.Kind), string(a.Role), string(a.Verdict), a.Reason, a.Via, a.CandidateDigest, a.DecisionDigest, a.SBOMDigest,
				a.CreatedAt.UnixMicro(), a.ExpiresAt.UnixMicro(), micros(a.VoidedAt), a.VoidReason).Scan(&a.ID)
			if err != nil {
				return err
			}
			continue
		}
		if a.VoidedAt != nil {
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE approvals SET voided_at = ?, void_reason = ? WHERE id = ? AND voided_at IS NULL`),
				a.VoidedAt.UnixMicro(), a.VoidReason, a.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// FindPromotion returns a promotion with its approvals.
func (db *DB) FindPromotion(ctx context.Context, id int64) (*runway.Promotion, error) {
	ps, err := db.queryPromotions(ctx, db.read, ` WHERE p.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, runway.Errorf(runway.ENOTFOUND, "there is no promotion request %d", id)
	}
	return ps[0], db.loadApprovals(ctx, db.read, ps[0])
}

// FindPromotions lists promotions newest first.
func (db *DB) FindPromotions(ctx context.Context, f runway.PromotionFilter) ([]*runway.Promotion, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.After > 0 {
		where += ` AND p.id < ?`
		args = append(args, f.After)
	}
	if f.App != "" {
		where += ` AND a.name = ?`
		args = append(args, f.App)
	}
	if f.Environment != "" {
		where += ` AND p.environment = ?`
		args = append(args, string(f.Environment))
	}
	if len(f.States) > 0 {
		where += ` AND p.state IN (` + placeholders(len(f.States)) + `)`
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Teams != nil {
		if len(f.Teams) == 0 {
			return nil, nil
		}
		where += ` AND t.name IN (` + placeholders(len(f.Teams)) + `)`
		for _, t := range f.Teams {
			args = append(args, t)
		}
	}
	where += ` ORDER BY p.id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	ps, err := db.queryPromotions(ctx, db.read, where, args...)
	if err != nil || len(ps) == 0 {
		return ps, err
	}
	return ps, db.loadAllApprovals(ctx, ps)
}

// loadAllApprovals fills in the approvals of ps with one query.
func (db *DB) loadAllApprovals(ctx context.Context, ps []*runway.Promotion) error {
	byID := make(map[int64]*runway.Promotion, len(ps))
	args := make([]any, len(ps))
	for i, p := range ps {
		byID[p.ID], args[i] = p, p.ID
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+approvalColumns+` FROM approvals WHERE promotion_id IN (`+placeholders(len(ps))+`) ORDER BY id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return err
		}
		p := byID[a.PromotionID]
		p.Approvals = append(p.Approvals, *a)
	}
	return rows.Err()
}

// DuePromotions finds open promotions the sweeper must act on.
func (db *DB) DuePromotions(ctx context.Context, now time.Time, remindBefore time.Duration) ([]runway.DuePromotion, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT p.id, a.name FROM promotions p JOIN apps a ON a.id = p.app_id
		WHERE (p.state = ? AND p.scheduled_for <= ?)
		   OR (p.state IN (?, ?) AND p.expires_at <= ?)
		   OR (p.state = ? AND p.reminders_sent = 0 AND p.expires_at <= ?)
		ORDER BY p.id`),
		string(runway.PromotionScheduled), now.UnixMicro(),
		string(runway.PromotionPending), string(runway.PromotionScheduled), now.UnixMicro(),
		string(runway.PromotionPending), now.Add(remindBefore).UnixMicro())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []runway.DuePromotion
	for rows.Next() {
		var d runway.DuePromotion
		if err := rows.Scan(&d.ID, &d.App); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (db *DB) queryPromotions(ctx context.Context, q querier, where string, args ...any) ([]*runway.Promotion, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT `+promotionColumns+promotionFrom+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.Promotion
	for rows.Next() {
		var p runway.Promotion
		var bg, auto, expires, created int64
		var reqs, why string
		var scheduled, decided, deployment sql.NullInt64
		if err := rows.Scan(&p.ID, &p.App, &p.Team, &p.Environment, &p.Candidate, &p.Tier, &p.CandidateDigest, &p.DecisionDigest, &p.SBOMDigest,
			&p.SubmittedBy, &p.RequestedBy, &p.Note, &bg, &p.State, &reqs, &why, &p.Outcome, &scheduled,
			&expires, &created, &decided, &auto, &p.RemindersSent, &deployment); err != nil {
			return nil, err
		}
		p.BreakGlass, p.AutoApproved = bg != 0, auto != 0
		p.ExpiresAt, p.CreatedAt = time.UnixMicro(expires).UTC(), time.UnixMicro(created).UTC()
		p.ScheduledFor, p.DecidedAt, p.Deployment = timeOf(scheduled), timeOf(decided), deployment.Int64
		if err := json.Unmarshal([]byte(reqs), &p.Requirements); err != nil {
			return nil, fmt.Errorf("promotion %d: stored requirements: %w", p.ID, err)
		}
		if err := json.Unmarshal([]byte(why), &p.Why); err != nil {
			return nil, fmt.Errorf("promotion %d: stored reasons: %w", p.ID, err)
		}
		p.Approvals = []runway.Approval{}
		out = append(out, &p)
	}
	return out, rows.Err()
}

func (db *DB) loadApprovals(ctx context.Context, q querier, p *runway.Promotion) error {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT `+approvalColumns+` FROM approvals WHERE promotion_id = ? ORDER BY id`), p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Approvals = []runway.Approval{}
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return err
		}
		p.Approvals = append(p.Approvals, *a)
	}
	return rows.Err()
}

const approvalColumns = `id, promotion_id, by_actor, kind, role, verdict, reason, via, candidate_digest, decision_digest, sbom_digest, created_at, expires_at, voided_at, void_reason`

func scanApproval(rows *sql.Rows) (*runway.Approval, error) {
	var a runway.Approval
	var created, expires int64
	var voided sql.NullInt64
	if err := rows.Scan(&a.ID, &a.PromotionID, &a.By, &a.Kind, &a.Role, &a.Verdict, &a.Reason, &a.Via, &a.CandidateDigest, &a.DecisionDigest, &a.SBOMDigest,
		&created, &expires, &voided, &a.VoidReason); err != nil {
		return nil, err
	}
	a.CreatedAt, a.ExpiresAt, a.VoidedAt = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC(), timeOf(voided)
	return &a, nil
}

// ClaimNonce records key; false when it was already there.
func (db *DB) ClaimNonce(ctx context.Context, key string, expires time.Time) (bool, error) {
	fresh := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM nonces WHERE expires_at <= ?`), db.now().UnixMicro()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO nonces (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, expires.UnixMicro())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	return fresh, err
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func micros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func timeOf(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMicro(v.Int64).UTC()
	return &t
}
