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

const appColumns = `a.id, a.name, t.name, a.manifest, a.tier, a.created_at, a.updated_at`

// CreateApp registers an app with its team and sets its ID and times.
func (db *DB) CreateApp(ctx context.Context, a *runway.App) error {
	if !validName.MatchString(a.Name) {
		return runway.Errorf(runway.EINVALID, "app name %q: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (at most 63)", a.Name)
	}
	manifest, err := json.Marshal(a.Manifest)
	if err != nil {
		return err
	}
	a.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	a.UpdatedAt = a.CreatedAt
	return db.inTx(ctx, func(tx *sql.Tx) error {
		teamID, err := db.teamID(ctx, tx, a.Team)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO apps (name, team_id, manifest, tier, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			a.Name, teamID, string(manifest), int(a.Tier), a.CreatedAt.UnixMicro(), a.UpdatedAt.UnixMicro()).Scan(&a.ID)
		if err != nil {
			return translate(err, fmt.Sprintf("an app named %q already exists", a.Name), "")
		}
		return db.appendAudit(ctx, tx, "app.create", "app:"+a.Name, map[string]any{"team": a.Team, "tier": a.Tier})
	})
}

// UpdateApp replaces an app's team, manifest and tier.
func (db *DB) UpdateApp(ctx context.Context, a *runway.App) error {
	manifest, err := json.Marshal(a.Manifest)
	if err != nil {
		return err
	}
	a.UpdatedAt = db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		teamID, err := db.teamID(ctx, tx, a.Team)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.rebind(`UPDATE apps SET team_id = ?, manifest = ?, tier = ?, updated_at = ? WHERE name = ? RETURNING id, created_at`),
			teamID, string(manifest), int(a.Tier), a.UpdatedAt.UnixMicro(), a.Name).Scan(&a.ID, new(int64))
		if err != nil {
			return translate(err, "", fmt.Sprintf("there is no app named %q", a.Name))
		}
		return db.appendAudit(ctx, tx, "app.update", "app:"+a.Name, map[string]any{"team": a.Team, "tier": a.Tier})
	})
}

// teamID looks a team up inside a transaction.
func (db *DB) teamID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM teams WHERE name = ?`), name).Scan(&id)
	return id, translate(err, "", fmt.Sprintf("there is no team named %q: create it first (runway teams create %s)", name, name))
}

// FindApp returns an app by name.
func (db *DB) FindApp(ctx context.Context, name string) (*runway.App, error) {
	row := db.read.QueryRowContext(ctx, db.rebind(`SELECT `+appColumns+` FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.name = ?`), name)
	a, err := scanApp(row)
	return a, translate(err, "", fmt.Sprintf("there is no app named %q", name))
}

// FindApps lists apps matching the filter in the order they were created.
func (db *DB) FindApps(ctx context.Context, f runway.AppFilter) ([]*runway.App, error) {
	q := `SELECT ` + appColumns + ` FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.id > ?`
	args := []any{f.After}
	if f.Team != "" {
		q += ` AND t.name = ?`
		args = append(args, f.Team)
	}
	if f.Tier != 0 {
		q += ` AND a.tier = ?`
		args = append(args, int(f.Tier))
	}
	if f.Search != "" {
		// A substring search cannot use an index; scanning the name
		// index (small) instead of the apps table keeps it cheap.
		q += ` AND a.id IN (SELECT id FROM apps WHERE name LIKE ? ESCAPE '\')`
		args = append(args, "%"+likeEscaper.Replace(strings.ToLower(f.Search))+"%")
	}
	q += ` ORDER BY a.id LIMIT ?`
	args = append(args, limit(f.Limit))
	rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func scanApp(s scanner) (*runway.App, error) {
	var a runway.App
	var manifest string
	var tier int
	var created, updated int64
	if err := s.Scan(&a.ID, &a.Name, &a.Team, &manifest, &tier, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(manifest), &a.Manifest); err != nil {
		return nil, fmt.Errorf("app %q: stored manifest: %w", a.Name, err)
	}
	a.Tier, a.CreatedAt, a.UpdatedAt = runway.Tier(tier), time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return &a, nil
}
