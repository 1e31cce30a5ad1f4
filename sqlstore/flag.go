package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/runwayhq/runway"
)

// flagDefinition is what a flag serves, kept as one JSON column: it is
// read and written whole, and never queried by its parts.
type flagDefinition struct {
	Variants   []runway.FlagVariant `json:"variants"`
	OffVariant string               `json:"off_variant"`
	Rules      []runway.FlagRule    `json:"rules,omitempty"`
	Default    runway.FlagServe     `json:"default"`
	Salt       string               `json:"salt,omitempty"`
}

func definitionOf(f *runway.Flag) flagDefinition {
	return flagDefinition{Variants: f.Variants, OffVariant: f.OffVariant, Rules: f.Rules, Default: f.Default, Salt: f.Salt}
}

// flagAudit is a flag change as the audit trail keeps it: the whole
// definition after the change, so that the trail is the flag's history.
type flagAudit struct {
	Version     int64           `json:"version"`
	Type        runway.FlagType `json:"type"`
	Enabled     bool            `json:"enabled"`
	Description string          `json:"description,omitempty"`
	flagDefinition
}

func auditOf(f *runway.Flag) flagAudit {
	return flagAudit{Version: f.Version, Type: f.Type, Enabled: f.Enabled, Description: f.Description, flagDefinition: definitionOf(f)}
}

const flagColumns = `f.id, a.name, f.environment, f.key, f.type, f.description, f.enabled, f.definition,
	f.killed_by, f.kill_reason, f.killed_at, f.version, f.updated_by, f.created_at, f.updated_at`

const flagFrom = ` FROM flags f JOIN apps a ON a.id = f.app_id`

// CreateFlags adds flags in one transaction, each with its audit entry.
func (db *DB) CreateFlags(ctx context.Context, flags ...*runway.Flag) error {
	now := db.now().UTC().Truncate(time.Microsecond)
	actor := runway.ActorFrom(ctx)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, f := range flags {
			def, err := json.Marshal(definitionOf(f))
			if err != nil {
				return err
			}
			appID, err := db.appID(ctx, tx, f.App)
			if err != nil {
				return err
			}
			f.Version, f.UpdatedBy, f.CreatedAt, f.UpdatedAt, f.Kill = 1, actor, now, now, nil
			err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO flags (app_id, environment, key, type, description, enabled, definition,
				killed_by, kill_reason, version, updated_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?) RETURNING id`),
				appID, string(f.Environment), f.Key, string(f.Type), f.Description, boolInt(f.Enabled), string(def),
				f.Version, actor, now.UnixMicro(), now.UnixMicro()).Scan(&f.ID)
			if err != nil {
				return translate(err, fmt.Sprintf("app %s already has a flag %q in %s", f.App, f.Key, f.Environment), "")
			}
			if err := db.appendAudit(ctx, tx, "flag.create", runway.FlagSubject(f.App, f.Environment, f.Key), auditOf(f)); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateFlag replaces a flag's definition if nobody changed it since
// f.Version.
func (db *DB) UpdateFlag(ctx context.Context, f *runway.Flag) error {
	def, err := json.Marshal(definitionOf(f))
	if err != nil {
		return err
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Turning a flag on clears its kill; leaving it off keeps it.
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE flags SET description = ?, enabled = ?, definition = ?,
			killed_by = CASE WHEN ? = 1 THEN '' ELSE killed_by END,
			kill_reason = CASE WHEN ? = 1 THEN '' ELSE kill_reason END,
			killed_at = CASE WHEN ? = 1 THEN NULL ELSE killed_at END,
			version = version + 1, updated_by = ?, updated_at = ?
			WHERE app_id = (SELECT id FROM apps WHERE name = ?) AND environment = ? AND key = ? AND version = ?`),
			f.Description, boolInt(f.Enabled), string(def), boolInt(f.Enabled), boolInt(f.Enabled), boolInt(f.Enabled),
			runway.ActorFrom(ctx), now.UnixMicro(), f.App, string(f.Environment), f.Key, f.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			stored, err := db.findFlag(ctx, tx, f.App, f.Environment, f.Key)
			if err != nil {
				return err
			}
			return runway.Errorf(runway.ECONFLICT, "flag %s in %s changed since you read it (version %d, now %d, by %s): reload it and make your change again",
				f.Key, f.Environment, f.Version, stored.Version, stored.UpdatedBy)
		}
		stored, err := db.findFlag(ctx, tx, f.App, f.Environment, f.Key)
		if err != nil {
			return err
		}
		*f = *stored
		return db.appendAudit(ctx, tx, "flag.update", runway.FlagSubject(f.App, f.Environment, f.Key), auditOf(f))
	})
}

// KillFlag turns a flag off, whatever its version.
func (db *DB) KillFlag(ctx context.Context, app string, env runway.Environment, key, reason string) (*runway.Flag, error) {
	now := db.now().UTC().Truncate(time.Microsecond)
	actor := runway.ActorFrom(ctx)
	var f *runway.Flag
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE flags SET enabled = 0, killed_by = ?, kill_reason = ?, killed_at = ?,
			version = version + 1, updated_by = ?, updated_at = ?
			WHERE app_id = (SELECT id FROM apps WHERE name = ?) AND environment = ? AND key = ?`),
			actor, reason, now.UnixMicro(), actor, now.UnixMicro(), app, string(env), key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flagNotFound(app, env, key)
		}
		if f, err = db.findFlag(ctx, tx, app, env, key); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, "flag.kill", runway.FlagSubject(app, env, key), map[string]any{"reason": reason, "version": f.Version})
	})
	return f, err
}

// FindFlag returns one flag.
func (db *DB) FindFlag(ctx context.Context, app string, env runway.Environment, key string) (*runway.Flag, error) {
	return db.findFlag(ctx, db.read, app, env, key)
}

func (db *DB) findFlag(ctx context.Context, q querier, app string, env runway.Environment, key string) (*runway.Flag, error) {
	row := q.QueryRowContext(ctx, db.rebind(`SELECT `+flagColumns+flagFrom+` WHERE a.name = ? AND f.environment = ? AND f.key = ?`), app, string(env), key)
	f, err := scanFlag(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flagNotFound(app, env, key)
	}
	return f, err
}

func flagNotFound(app string, env runway.Environment, key string) error {
	return runway.Errorf(runway.ENOTFOUND, "app %s has no flag %q in %s", app, key, env)
}

// FindFlags lists an app's flags by environment and key.
func (db *DB) FindFlags(ctx context.Context, filter runway.FlagFilter) ([]*runway.Flag, error) {
	q := `SELECT ` + flagColumns + flagFrom + ` WHERE a.name = ?`
	args := []any{filter.App}
	if filter.Environment != "" {
		q += ` AND f.environment = ?`
		args = append(args, string(filter.Environment))
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(q+` ORDER BY f.environment, f.key`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*runway.Flag{}
	for rows.Next() {
		f, err := scanFlag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func scanFlag(s scanner) (*runway.Flag, error) {
	var f runway.Flag
	var env, typ, def, killedBy, killReason string
	var enabled int
	var killedAt sql.NullInt64
	var created, updated int64
	if err := s.Scan(&f.ID, &f.App, &env, &f.Key, &typ, &f.Description, &enabled, &def,
		&killedBy, &killReason, &killedAt, &f.Version, &f.UpdatedBy, &created, &updated); err != nil {
		return nil, err
	}
	var d flagDefinition
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		return nil, fmt.Errorf("flag %s/%s/%s: stored definition: %w", f.App, env, f.Key, err)
	}
	f.Environment, f.Type, f.Enabled = runway.Environment(env), runway.FlagType(typ), enabled != 0
	f.Variants, f.OffVariant, f.Rules, f.Default, f.Salt = d.Variants, d.OffVariant, d.Rules, d.Default, d.Salt
	if killedAt.Valid {
		f.Kill = &runway.FlagKill{By: killedBy, Reason: killReason, At: time.UnixMicro(killedAt.Int64).UTC()}
	}
	f.CreatedAt, f.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return &f, nil
}

// groupDefinition is who a group holds, kept as one JSON column.
type groupDefinition struct {
	Keys       []string               `json:"keys,omitempty"`
	Conditions []runway.FlagCondition `json:"conditions,omitempty"`
}

// SaveFlagGroup creates or replaces an app's group.
func (db *DB) SaveFlagGroup(ctx context.Context, g *runway.FlagGroup) error {
	def, err := json.Marshal(groupDefinition{Keys: g.Keys, Conditions: g.Conditions})
	if err != nil {
		return err
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		appID, err := db.appID(ctx, tx, g.App)
		if err != nil {
			return err
		}
		action := "flag.group.update"
		var created int64
		err = tx.QueryRowContext(ctx, db.rebind(`UPDATE flag_groups SET description = ?, definition = ?, updated_at = ?
			WHERE app_id = ? AND name = ? RETURNING id, created_at`),
			g.Description, string(def), now.UnixMicro(), appID, g.Name).Scan(&g.ID, &created)
		if errors.Is(err, sql.ErrNoRows) {
			action, created = "flag.group.create", now.UnixMicro()
			err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO flag_groups (app_id, name, description, definition, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), appID, g.Name, g.Description, string(def), created, created).Scan(&g.ID)
		}
		if err != nil {
			return translate(err, fmt.Sprintf("app %s already has a group %q", g.App, g.Name), "")
		}
		g.CreatedAt, g.UpdatedAt = time.UnixMicro(created).UTC(), now
		return db.appendAudit(ctx, tx, action, "flag_group:"+g.App+"/"+g.Name, map[string]any{
			"description": g.Description, "keys": g.Keys, "conditions": g.Conditions,
		})
	})
}

// FindFlagGroups lists an app's groups by name.
func (db *DB) FindFlagGroups(ctx context.Context, app string) ([]*runway.FlagGroup, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT g.id, a.name, g.name, g.description, g.definition, g.created_at, g.updated_at
		FROM flag_groups g JOIN apps a ON a.id = g.app_id WHERE a.name = ? ORDER BY g.name`), app)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*runway.FlagGroup{}
	for rows.Next() {
		var g runway.FlagGroup
		var def string
		var created, updated int64
		if err := rows.Scan(&g.ID, &g.App, &g.Name, &g.Description, &def, &created, &updated); err != nil {
			return nil, err
		}
		var d groupDefinition
		if err := json.Unmarshal([]byte(def), &d); err != nil {
			return nil, fmt.Errorf("group %s/%s: stored definition: %w", g.App, g.Name, err)
		}
		g.Keys, g.Conditions = d.Keys, d.Conditions
		g.CreatedAt, g.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, &g)
	}
	return out, rows.Err()
}

// appID looks an app up inside a transaction.
func (db *DB) appID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM apps WHERE name = ?`), name).Scan(&id)
	return id, translate(err, "", fmt.Sprintf("there is no app named %q", name))
}

// CreateFlagKey stores a flag key, keeping only the hash of its secret.
func (db *DB) CreateFlagKey(ctx context.Context, k *runway.FlagKey, secret string) error {
	if !runway.LooksLikeFlagKey(secret) {
		return runway.Errorf(runway.EINVALID, "a flag key secret is %s and 64 hex digits (runway.NewFlagKeySecret)", runway.FlagKeyPrefix)
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	k.Hint, k.CreatedBy, k.CreatedAt, k.RevokedAt = secret[:len(runway.FlagKeyPrefix)+6], runway.ActorFrom(ctx), now, nil
	return db.inTx(ctx, func(tx *sql.Tx) error {
		appID, err := db.appID(ctx, tx, k.App)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO flag_keys (app_id, environment, name, hash, hint, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			appID, string(k.Environment), k.Name, runway.HashToken(secret), k.Hint, k.CreatedBy, now.UnixMicro()).Scan(&k.ID)
		if err != nil {
			return translate(err, "this flag key exists already: make a new secret", "")
		}
		return db.appendAudit(ctx, tx, "flag.key.create", fmt.Sprintf("flag_key:%s/%d", k.App, k.ID),
			map[string]any{"environment": k.Environment, "name": k.Name, "hint": k.Hint})
	})
}

// RevokeFlagKey revokes one of an app's flag keys; revoking a revoked key
// changes nothing but is recorded.
func (db *DB) RevokeFlagKey(ctx context.Context, app string, id int64) error {
	now := db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE flag_keys SET revoked_at = COALESCE(revoked_at, ?)
			WHERE id = ? AND app_id = (SELECT id FROM apps WHERE name = ?)`), now.UnixMicro(), id, app)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return runway.Errorf(runway.ENOTFOUND, "app %s has no flag key %d", app, id)
		}
		return db.appendAudit(ctx, tx, "flag.key.revoke", fmt.Sprintf("flag_key:%s/%d", app, id), nil)
	})
}

const flagKeyColumns = `k.id, a.name, k.environment, k.name, k.hint, k.created_by, k.created_at, k.revoked_at
	FROM flag_keys k JOIN apps a ON a.id = k.app_id`

// FindFlagKeys lists an app's flag keys by ID.
func (db *DB) FindFlagKeys(ctx context.Context, app string) ([]*runway.FlagKey, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+flagKeyColumns+` WHERE a.name = ? ORDER BY k.id`), app)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*runway.FlagKey{}
	for rows.Next() {
		k, err := scanFlagKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// AuthenticateFlagKey returns the unrevoked key a secret belongs to.
func (db *DB) AuthenticateFlagKey(ctx context.Context, secret string) (*runway.FlagKey, error) {
	unknown := runway.Errorf(runway.EUNAUTHORIZED, "unknown or revoked flag key: ask the app's team for a key of this environment (runway flags keys create)")
	if !runway.LooksLikeFlagKey(secret) {
		return nil, unknown
	}
	row := db.read.QueryRowContext(ctx, db.rebind(`SELECT `+flagKeyColumns+` WHERE k.hash = ?`), runway.HashToken(secret))
	k, err := scanFlagKey(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, unknown
	case err != nil:
		return nil, err
	case k.RevokedAt != nil:
		return nil, unknown
	}
	return k, nil
}

func scanFlagKey(s scanner) (*runway.FlagKey, error) {
	var k runway.FlagKey
	var env string
	var created int64
	var revoked sql.NullInt64
	if err := s.Scan(&k.ID, &k.App, &env, &k.Name, &k.Hint, &k.CreatedBy, &created, &revoked); err != nil {
		return nil, err
	}
	k.Environment, k.CreatedAt = runway.Environment(env), time.UnixMicro(created).UTC()
	if revoked.Valid {
		t := time.UnixMicro(revoked.Int64).UTC()
		k.RevokedAt = &t
	}
	return &k, nil
}
