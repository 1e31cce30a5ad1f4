package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/runwayhq/runway"
)

// validName is the shape of app and team names (the manifest's `name` and
// `owner`): they become parts of web addresses.
var validName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

// CreateTeam adds a team and sets its ID and creation time.
func (db *DB) CreateTeam(ctx context.Context, t *runway.Team) error {
	if !validName.MatchString(t.Name) {
		return runway.Errorf(runway.EINVALID, "team name %q: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (at most 63)", t.Name)
	}
	if t.DisplayName == "" {
		t.DisplayName = t.Name
	}
	t.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO teams (name, display_name, created_at) VALUES (?, ?, ?) RETURNING id`),
			t.Name, t.DisplayName, t.CreatedAt.UnixMicro()).Scan(&t.ID)
		if err != nil {
			return translate(err, fmt.Sprintf("a team named %q already exists", t.Name), "")
		}
		return db.appendAudit(ctx, tx, "team.create", "team:"+t.Name, map[string]any{"display_name": t.DisplayName})
	})
}

// FindTeam returns a team by name.
func (db *DB) FindTeam(ctx context.Context, name string) (*runway.Team, error) {
	row := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, name, display_name, created_at FROM teams WHERE name = ?`), name)
	t, err := scanTeam(row)
	return t, translate(err, "", fmt.Sprintf("there is no team named %q", name))
}

// FindTeams lists teams in the order they were created.
func (db *DB) FindTeams(ctx context.Context, p runway.Page) ([]*runway.Team, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id, name, display_name, created_at FROM teams WHERE id > ? ORDER BY id LIMIT ?`), p.After, limit(p.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanTeam(s scanner) (*runway.Team, error) {
	var t runway.Team
	var created int64
	if err := s.Scan(&t.ID, &t.Name, &t.DisplayName, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = time.UnixMicro(created).UTC()
	return &t, nil
}
