package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/runwayhq/runway"
)

const deploymentColumns = `d.id, a.name, d.environment, d.candidate, d.candidate_digest, COALESCE(d.promotion_id, 0), d.state, d.break_glass, d.started_by, d.created_at,
	d.artifact, d.stable, d.step, d.weight, d.reason, d.seq, d.updated_at`

const deploymentFrom = ` FROM deployments d JOIN apps a ON a.id = d.app_id`

// ChangeDeployment changes a deployment in one transaction holding its
// app's lock (the same lock promotions and submissions take).
func (db *DB) ChangeDeployment(ctx context.Context, id int64, change func(tx *runway.DeploymentTx) error) (*runway.Deployment, error) {
	var out *runway.Deployment
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var appID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT app_id FROM deployments WHERE id = ?`), id).Scan(&appID); err != nil {
			return translate(err, "", fmt.Sprintf("there is no deployment %d", id))
		}
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM apps WHERE id = $1 FOR UPDATE`, appID); err != nil {
				return err
			}
		}
		ds, err := db.queryDeployments(ctx, tx, ` WHERE d.id = ?`, id)
		if err != nil {
			return err
		}
		d := ds[0]
		dtx := &runway.DeploymentTx{Now: db.now().UTC().Truncate(time.Microsecond), Deployment: d}
		live, err := db.queryDeployments(ctx, tx, ` WHERE d.app_id = ? AND d.environment = ? AND d.state = ? AND d.id <> ? ORDER BY d.id DESC LIMIT 1`,
			appID, string(d.Environment), runway.DeploymentLive, id)
		if err != nil {
			return err
		}
		if len(live) > 0 {
			dtx.Live = live[0]
		}
		before := *d
		var liveBefore runway.Deployment
		if dtx.Live != nil {
			liveBefore = *dtx.Live
		}
		if err := change(dtx); err != nil {
			return err
		}
		if err := db.saveDeployment(ctx, tx, &before, d, dtx.Now); err != nil {
			return err
		}
		if dtx.Live != nil {
			if err := db.saveDeployment(ctx, tx, &liveBefore, dtx.Live, dtx.Now); err != nil {
				return err
			}
		}
		for _, e := range dtx.Events {
			subject := e.Subject
			if subject == "" {
				subject = fmt.Sprintf("deployment:%d", d.ID)
			}
			if err := db.appendAudit(ctx, tx, e.Action, subject, e.Data); err != nil {
				return err
			}
		}
		for _, n := range dtx.Notices {
			if err := db.queueNotice(ctx, tx, n); err != nil {
				return err
			}
		}
		if dtx.Next != nil {
			dtx.Next.Deployment, dtx.Next.Seq = d.ID, d.Seq
			if err := db.queueStep(ctx, tx, *dtx.Next); err != nil {
				return err
			}
		}
		out = d
		return nil
	})
	if err == nil {
		db.persisted()
	}
	return out, err
}

// saveDeployment writes what a change did to d; a changed state counts a
// transition (Seq), and the update only applies to the row as it was read.
func (db *DB) saveDeployment(ctx context.Context, tx *sql.Tx, before, d *runway.Deployment, now time.Time) error {
	if *before == *d {
		return nil
	}
	if d.State != before.State || d.Step != before.Step {
		d.Seq = before.Seq + 1
	}
	d.UpdatedAt = now
	res, err := tx.ExecContext(ctx, db.rebind(`UPDATE deployments SET state = ?, artifact = ?, stable = ?, step = ?, weight = ?, reason = ?, seq = ?, updated_at = ?
		WHERE id = ? AND seq = ?`), d.State, d.Artifact, d.Stable, d.Step, d.Weight, d.Reason, d.Seq, d.UpdatedAt.UnixMicro(), d.ID, before.Seq)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return runway.Errorf(runway.ECONFLICT, "deployment %d changed meanwhile", d.ID)
	}
	return nil
}

// FindDeployment returns one deployment.
func (db *DB) FindDeployment(ctx context.Context, id int64) (*runway.Deployment, error) {
	ds, err := db.queryDeployments(ctx, db.read, ` WHERE d.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, runway.Errorf(runway.ENOTFOUND, "there is no deployment %d", id)
	}
	return ds[0], nil
}

// FindDeployments lists an app's deployments newest first.
func (db *DB) FindDeployments(ctx context.Context, app string, p runway.Page) ([]*runway.Deployment, error) {
	where, args := ` WHERE a.name = ?`, []any{app}
	if p.After > 0 {
		where += ` AND d.id < ?`
		args = append(args, p.After)
	}
	where += ` ORDER BY d.id DESC LIMIT ?`
	args = append(args, limit(p.Limit))
	return db.queryDeployments(ctx, db.read, where, args...)
}

// ActiveDeployments lists deployments that are live or not done, oldest
// first.
func (db *DB) ActiveDeployments(ctx context.Context) ([]*runway.Deployment, error) {
	return db.queryDeployments(ctx, db.read, ` WHERE d.state IN (?, ?, ?, ?, ?, ?) ORDER BY d.id`,
		runway.DeploymentQueued, runway.DeploymentBuilding, runway.DeploymentStarting, runway.DeploymentSmoke, runway.DeploymentCanary, runway.DeploymentLive)
}

func (db *DB) queryDeployments(ctx context.Context, q querier, where string, args ...any) ([]*runway.Deployment, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT `+deploymentColumns+deploymentFrom+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.Deployment
	for rows.Next() {
		var d runway.Deployment
		var bg, created, updated int64
		if err := rows.Scan(&d.ID, &d.App, &d.Environment, &d.Candidate, &d.CandidateDigest, &d.PromotionID, &d.State, &bg, &d.StartedBy, &created,
			&d.Artifact, &d.Stable, &d.Step, &d.Weight, &d.Reason, &d.Seq, &updated); err != nil {
			return nil, err
		}
		d.BreakGlass, d.CreatedAt, d.UpdatedAt = bg != 0, time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, &d)
	}
	return out, rows.Err()
}
