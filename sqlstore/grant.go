package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

const grantColumns = `g.id, u.email, g.role, g.team, g.app, g.reason, g.duration_s, g.state, g.decided_by, g.note, g.created_at, g.decided_at, g.expires_at`

// CreateGrant records a request for elevated access.
func (db *DB) CreateGrant(ctx context.Context, g *runway.AccessGrant, notices ...runway.Notice) error {
	g.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		email := strings.TrimPrefix(g.User, "user:")
		var userID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM users WHERE email = ?`), email).Scan(&userID); err != nil {
			return translate(err, "", fmt.Sprintf("there is no user %s", email))
		}
		if g.Team != "" {
			if _, err := db.teamID(ctx, tx, g.Team); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO access_grants (user_id, role, team, app, reason, duration_s, state, decided_by, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, '', '', ?) RETURNING id`),
			userID, string(g.Role), g.Team, g.App, g.Reason, int64(g.Duration/time.Second), string(g.State), g.CreatedAt.UnixMicro()).Scan(&g.ID)
		if err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, "access.request", fmt.Sprintf("access:%d", g.ID), map[string]any{
			"user": g.User, "role": g.Role, "team": g.Team, "app": g.App, "reason": g.Reason, "hours": g.Duration.Hours(),
		}); err != nil {
			return err
		}
		for _, n := range notices {
			n.AccessID = g.ID
			if err := db.queueNotice(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// ChangeGrant changes a grant's state inside one transaction.
func (db *DB) ChangeGrant(ctx context.Context, id int64, change func(tx *runway.GrantTx) error) (*runway.AccessGrant, error) {
	var out *runway.AccessGrant
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		gs, err := db.queryGrants(ctx, tx, ` WHERE g.id = ?`, id)
		if err != nil {
			return err
		}
		if len(gs) == 0 {
			return runway.Errorf(runway.ENOTFOUND, "there is no access request %d", id)
		}
		g := gs[0]
		gtx := &runway.GrantTx{Grant: g, Now: db.now().UTC().Truncate(time.Microsecond)}
		if err := change(gtx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE access_grants SET state = ?, decided_by = ?, note = ?, decided_at = ?, expires_at = ? WHERE id = ?`),
			string(g.State), g.DecidedBy, g.Note, micros(g.DecidedAt), micros(g.ExpiresAt), g.ID); err != nil {
			return err
		}
		for _, e := range gtx.Events {
			subject := e.Subject
			if subject == "" {
				subject = fmt.Sprintf("access:%d", g.ID)
			}
			if err := db.appendAudit(ctx, tx, e.Action, subject, e.Data); err != nil {
				return err
			}
		}
		for _, n := range gtx.Notices {
			n.AccessID = g.ID
			if err := db.queueNotice(ctx, tx, n); err != nil {
				return err
			}
		}
		out = g
		return nil
	})
	return out, err
}

// FindGrant returns one grant.
func (db *DB) FindGrant(ctx context.Context, id int64) (*runway.AccessGrant, error) {
	gs, err := db.queryGrants(ctx, db.read, ` WHERE g.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 {
		return nil, runway.Errorf(runway.ENOTFOUND, "there is no access request %d", id)
	}
	return gs[0], nil
}

// FindGrants lists grants newest first.
func (db *DB) FindGrants(ctx context.Context, f runway.GrantFilter) ([]*runway.AccessGrant, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.After > 0 {
		where += ` AND g.id < ?`
		args = append(args, f.After)
	}
	if f.User != "" {
		where += ` AND u.email = ?`
		args = append(args, strings.TrimPrefix(f.User, "user:"))
	}
	if len(f.States) > 0 {
		where += ` AND g.state IN (` + placeholders(len(f.States)) + `)`
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	where += ` ORDER BY g.id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	return db.queryGrants(ctx, db.read, where, args...)
}

// DueGrants returns active grants that ran out at now.
func (db *DB) DueGrants(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id FROM access_grants WHERE state = ? AND expires_at <= ? ORDER BY id`),
		string(runway.GrantActive), now.UnixMicro())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (db *DB) queryGrants(ctx context.Context, q querier, where string, args ...any) ([]*runway.AccessGrant, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT `+grantColumns+` FROM access_grants g JOIN users u ON u.id = g.user_id`+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.AccessGrant
	for rows.Next() {
		var g runway.AccessGrant
		var secs, created int64
		var decided, expires sql.NullInt64
		if err := rows.Scan(&g.ID, &g.User, &g.Role, &g.Team, &g.App, &g.Reason, &secs, &g.State, &g.DecidedBy, &g.Note, &created, &decided, &expires); err != nil {
			return nil, err
		}
		g.User = "user:" + g.User
		g.Duration, g.CreatedAt = time.Duration(secs)*time.Second, time.UnixMicro(created).UTC()
		g.DecidedAt, g.ExpiresAt = timeOf(decided), timeOf(expires)
		out = append(out, &g)
	}
	return out, rows.Err()
}

// FindUsersWithRole lists the users holding role (on team for team roles),
// counting active elevated access, by email.
func (db *DB) FindUsersWithRole(ctx context.Context, role runway.Role, team string) ([]*runway.User, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT DISTINCT u.email FROM users u WHERE u.id IN (
			SELECT user_id FROM role_grants WHERE role = ? AND team = ?
			UNION SELECT user_id FROM access_grants WHERE role = ? AND team = ? AND state = ? AND expires_at > ?)
		ORDER BY u.email`), string(role), team, string(role), team, string(runway.GrantActive), db.now().UnixMicro())
	if err != nil {
		return nil, err
	}
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return nil, err
		}
		emails = append(emails, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*runway.User, 0, len(emails))
	for _, e := range emails {
		u, err := db.FindUser(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
