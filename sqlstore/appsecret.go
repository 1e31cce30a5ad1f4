package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// App secrets are kept sealed (runway.SealedSecret): this file stores and
// finds opaque bytes and never sees a value or a master key. Audit entries
// name the secret ("secret:app/env/NAME") and hold versions and key ids.

var _ runway.SecretStore = (*DB)(nil)

const sealedColumns = `a.name, s.env, s.name, s.version, s.created_at, s.updated_at, s.updated_by, s.key_id, s.wrapped_key, s.ciphertext`

// PutSealedSecret stores s as the next version of its secret and sets its
// version, times and author.
func (db *DB) PutSealedSecret(ctx context.Context, s *runway.SealedSecret) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.KeyID == "" || len(s.WrappedKey) == 0 || len(s.Ciphertext) == 0 {
		return runway.Errorf(runway.EINTERNAL, "secret %s: refusing to store it unsealed", s.SecretRef)
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	actor := runway.ActorFrom(ctx)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var appID int64
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM apps WHERE name = ?`), s.App).Scan(&appID)
		if err != nil {
			return translate(err, "", fmt.Sprintf("there is no app named %q", s.App))
		}
		var created int64
		err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO app_secrets
			(app_id, env, name, version, key_id, wrapped_key, ciphertext, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (app_id, env, name) DO UPDATE SET
				version = app_secrets.version + 1, key_id = excluded.key_id, wrapped_key = excluded.wrapped_key,
				ciphertext = excluded.ciphertext, updated_at = excluded.updated_at, updated_by = excluded.updated_by
			RETURNING version, created_at`),
			appID, string(s.Env), s.Name, s.KeyID, s.WrappedKey, s.Ciphertext, now.UnixMicro(), now.UnixMicro(), actor,
		).Scan(&s.Version, &created)
		if err != nil {
			return err
		}
		s.CreatedAt, s.UpdatedAt, s.UpdatedBy = time.UnixMicro(created).UTC(), now, actor
		return db.appendAudit(ctx, tx, "secret.set", "secret:"+s.SecretRef.String(),
			map[string]any{"version": s.Version, "key_id": s.KeyID})
	})
}

// DeleteSecret removes a secret.
func (db *DB) DeleteSecret(ctx context.Context, ref runway.SecretRef) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var version int
		err := tx.QueryRowContext(ctx, db.rebind(`DELETE FROM app_secrets
			WHERE app_id = (SELECT id FROM apps WHERE name = ?) AND env = ? AND name = ?
			RETURNING version`), ref.App, string(ref.Env), ref.Name).Scan(&version)
		if err != nil {
			return translate(err, "", fmt.Sprintf("app %s has no secret %s for %s", ref.App, ref.Name, ref.EnvLabel()))
		}
		return db.appendAudit(ctx, tx, "secret.delete", "secret:"+ref.String(), map[string]any{"version": version})
	})
}

// FindSecrets describes an app's secrets, without reading their sealed
// bytes.
func (db *DB) FindSecrets(ctx context.Context, app string) ([]*runway.SecretInfo, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT a.name, s.env, s.name, s.version, s.created_at, s.updated_at, s.updated_by
		FROM app_secrets s JOIN apps a ON a.id = s.app_id WHERE a.name = ? ORDER BY s.name, s.env`), app)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runway.SecretInfo
	for rows.Next() {
		var i runway.SecretInfo
		var created, updated int64
		if err := rows.Scan(&i.App, &i.Env, &i.Name, &i.Version, &created, &updated, &i.UpdatedBy); err != nil {
			return nil, err
		}
		i.CreatedAt, i.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, &i)
	}
	return out, rows.Err()
}

// FindSealedSecrets returns the stored secrets among refs, one query per
// app.
func (db *DB) FindSealedSecrets(ctx context.Context, refs []runway.SecretRef) ([]*runway.SealedSecret, error) {
	want := map[runway.SecretRef]bool{}
	byApp := map[string][]runway.SecretRef{}
	for _, r := range refs {
		if !want[r] {
			want[r] = true
			byApp[r.App] = append(byApp[r.App], r)
		}
	}
	var out []*runway.SealedSecret
	for app, refs := range byApp {
		args := []any{app}
		var names []string
		for _, r := range refs {
			names = append(names, "?")
			args = append(args, r.Name)
		}
		rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+sealedColumns+`
			FROM app_secrets s JOIN apps a ON a.id = s.app_id
			WHERE a.name = ? AND s.name IN (`+strings.Join(names, ", ")+`)`), args...)
		if err != nil {
			return nil, err
		}
		found, err := scanSealed(rows)
		if err != nil {
			return nil, err
		}
		for _, s := range found {
			if want[s.SecretRef] {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func scanSealed(rows *sql.Rows) ([]*runway.SealedSecret, error) {
	defer rows.Close()
	var out []*runway.SealedSecret
	for rows.Next() {
		var s runway.SealedSecret
		var created, updated int64
		if err := rows.Scan(&s.App, &s.Env, &s.Name, &s.Version, &created, &updated, &s.UpdatedBy,
			&s.KeyID, &s.WrappedKey, &s.Ciphertext); err != nil {
			return nil, err
		}
		s.CreatedAt, s.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		out = append(out, &s)
	}
	return out, rows.Err()
}

// RewrapSecrets re-seals a batch of data keys under keyID. Rows are locked
// on PostgreSQL (SQLite has one writer), and each update checks that the
// row still holds what was read, so a value set meanwhile is never given
// the old data key.
func (db *DB) RewrapSecrets(ctx context.Context, keyID string, limit int, rewrap func(*runway.SealedSecret) error) (int, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE OF s"
	}
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT `+sealedColumns+`, s.app_id
			FROM app_secrets s JOIN apps a ON a.id = s.app_id
			WHERE s.key_id <> ? ORDER BY s.app_id, s.env, s.name LIMIT ?`+lock), keyID, limit)
		if err != nil {
			return err
		}
		type row struct {
			s     runway.SealedSecret
			appID int64
			from  string
		}
		var batch []*row
		for rows.Next() {
			var r row
			var created, updated int64
			if err := rows.Scan(&r.s.App, &r.s.Env, &r.s.Name, &r.s.Version, &created, &updated, &r.s.UpdatedBy,
				&r.s.KeyID, &r.s.WrappedKey, &r.s.Ciphertext, &r.appID); err != nil {
				rows.Close()
				return err
			}
			r.s.CreatedAt, r.s.UpdatedAt, r.from = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC(), r.s.KeyID
			batch = append(batch, &r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		// Only key_id and wrapped_key are written: the value's ciphertext
		// stays as it is.
		var moved []map[string]any
		for _, r := range batch {
			ref, version := r.s.SecretRef, r.s.Version
			if err := rewrap(&r.s); err != nil {
				return err
			}
			if r.s.KeyID != keyID || len(r.s.WrappedKey) == 0 {
				return runway.Errorf(runway.EINTERNAL, "secret %s: re-sealed under key %q, not %s", ref, r.s.KeyID, keyID)
			}
			res, err := tx.ExecContext(ctx, db.rebind(`UPDATE app_secrets SET key_id = ?, wrapped_key = ?
				WHERE app_id = ? AND env = ? AND name = ? AND version = ? AND key_id = ?`),
				r.s.KeyID, r.s.WrappedKey, r.appID, string(ref.Env), ref.Name, version, r.from)
			if err != nil {
				return err
			}
			if changed, err := res.RowsAffected(); err != nil || changed != 1 {
				continue // set again meanwhile, under the newest key
			}
			moved = append(moved, map[string]any{"secret": ref.String(), "version": version, "from_key": r.from})
		}
		n = len(batch)
		return db.appendAudit(ctx, tx, "secret.rotate", "master_key:"+keyID, map[string]any{"to_key": keyID, "secrets": moved})
	})
	return n, err
}

// CountSecretKeys counts secrets per master key id.
func (db *DB) CountSecretKeys(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key_id, COUNT(*) FROM app_secrets GROUP BY key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
