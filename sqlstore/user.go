package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/runwayhq/runway"
)

// tokenUseEvery is how often a token's use is recorded (last_used_at and
// an audit entry): once per hour per token, not once per request.
const tokenUseEvery = time.Hour

// CreateUser adds a user with their grants.
func (db *DB) CreateUser(ctx context.Context, u *runway.User) error {
	if err := validUser(u); err != nil {
		return err
	}
	u.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id`),
			u.Email, u.Name, u.CreatedAt.UnixMicro()).Scan(&u.ID)
		if err != nil {
			return translate(err, fmt.Sprintf("a user with the email %s already exists", u.Email), "")
		}
		if err := db.insertGrants(ctx, tx, u); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, "user.create", "user:"+u.Email, map[string]any{"grants": u.Grants})
	})
}

// SyncUser creates the user or brings their name and grants up to date.
// Only a change is audited.
func (db *DB) SyncUser(ctx context.Context, u *runway.User) error {
	if err := validUser(u); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := db.findUser(ctx, tx, `u.email = ?`, u.Email)
		if err == sql.ErrNoRows {
			u.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
			if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id`),
				u.Email, u.Name, u.CreatedAt.UnixMicro()).Scan(&u.ID); err != nil {
				return err
			}
			if err := db.insertGrants(ctx, tx, u); err != nil {
				return err
			}
			return db.appendAudit(ctx, tx, "user.create", "user:"+u.Email, map[string]any{"grants": u.Grants})
		} else if err != nil {
			return err
		}
		u.ID, u.CreatedAt = old.ID, old.CreatedAt
		if old.Name == u.Name && slices.Equal(sortedGrants(old.Grants), u.Grants) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET name = ? WHERE id = ?`), u.Name, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM role_grants WHERE user_id = ?`), u.ID); err != nil {
			return err
		}
		if err := db.insertGrants(ctx, tx, u); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, "user.update", "user:"+u.Email, map[string]any{"name": u.Name, "grants": u.Grants, "previous_grants": old.Grants})
	})
}

// validUser checks a user's email and grants and defaults the name.
func validUser(u *runway.User) error {
	if addr, err := mail.ParseAddress(u.Email); err != nil || addr.Address != u.Email {
		return runway.Errorf(runway.EINVALID, "%q is not an email address", u.Email)
	}
	for _, g := range u.Grants {
		if !slices.Contains(runway.Roles, g.Role) {
			return runway.Errorf(runway.EINVALID, "unknown role %q: roles are %v", g.Role, runway.Roles)
		}
		if g.Role.TeamScoped() != (g.Team != "") {
			return runway.Errorf(runway.EINVALID, "role %s: team roles (developer, team-lead) name a team, organisation roles do not", g.Role)
		}
	}
	if u.Name == "" {
		u.Name = u.Email
	}
	u.Grants = sortedGrants(u.Grants)
	return nil
}

// sortedGrants returns grants deduplicated in the order the store reads
// them back (role, then team).
func sortedGrants(gs []runway.RoleGrant) []runway.RoleGrant {
	out := slices.Clone(gs)
	slices.SortFunc(out, func(a, b runway.RoleGrant) int {
		return strings.Compare(string(a.Role)+"\x00"+a.Team, string(b.Role)+"\x00"+b.Team)
	})
	return slices.Compact(out)
}

func (db *DB) insertGrants(ctx context.Context, tx *sql.Tx, u *runway.User) error {
	for _, g := range u.Grants {
		if g.Team != "" {
			if _, err := db.teamID(ctx, tx, g.Team); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO role_grants (user_id, role, team) VALUES (?, ?, ?)`), u.ID, string(g.Role), g.Team); err != nil {
			return err
		}
	}
	return nil
}

// RecordEvent appends an audit entry for a security event that changes
// no stored state.
func (db *DB) RecordEvent(ctx context.Context, action, subject string, data any) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, action, subject, data) })
}

// FindUser returns a user by email, with their grants.
func (db *DB) FindUser(ctx context.Context, email string) (*runway.User, error) {
	u, err := db.findUser(ctx, db.read, `u.email = ?`, email)
	return u, translate(err, "", fmt.Sprintf("there is no user %s", email))
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) findUser(ctx context.Context, q querier, where string, arg any) (*runway.User, error) {
	var u runway.User
	var created int64
	err := q.QueryRowContext(ctx, db.rebind(`SELECT u.id, u.email, u.name, u.created_at FROM users u WHERE `+where), arg).
		Scan(&u.ID, &u.Email, &u.Name, &created)
	if err != nil {
		return nil, err
	}
	u.CreatedAt = time.UnixMicro(created).UTC()
	// Active elevated access counts as a grant until it expires, whether or
	// not the expiry job has run yet.
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT role, team FROM role_grants WHERE user_id = ?
		UNION SELECT role, team FROM access_grants WHERE user_id = ? AND state = ? AND expires_at > ?
		ORDER BY role, team`), u.ID, u.ID, string(runway.GrantActive), db.now().UnixMicro())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g runway.RoleGrant
		if err := rows.Scan(&g.Role, &g.Team); err != nil {
			return nil, err
		}
		u.Grants = append(u.Grants, g)
	}
	return &u, rows.Err()
}

// CountUsers returns how many users there are.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// CreateToken stores a token's hash and sets its ID and creation time.
func (db *DB) CreateToken(ctx context.Context, t *runway.Token, secret string) error {
	if !runway.LooksLikeToken(secret) {
		return runway.Errorf(runway.EINTERNAL, "token %q: the secret was not made by NewTokenSecret", t.Name)
	}
	if t.Name == "" {
		return runway.Errorf(runway.EINVALID, "give the token a name that says what it is for (for example \"ci\")")
	}
	t.CreatedAt = db.now().UTC().Truncate(time.Microsecond)
	if !t.ExpiresAt.After(t.CreatedAt) {
		return runway.Errorf(runway.EINVALID, "token %q: the expiry must be in the future", t.Name)
	}
	t.ExpiresAt = t.ExpiresAt.UTC().Truncate(time.Microsecond)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var email string
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT email FROM users WHERE id = ?`), t.UserID).Scan(&email); err != nil {
			return translate(err, "", fmt.Sprintf("there is no user with id %d", t.UserID))
		}
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO tokens (user_id, name, hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			t.UserID, t.Name, runway.HashToken(secret), strings.Join(t.Scopes, " "), t.CreatedAt.UnixMicro(), t.ExpiresAt.UnixMicro()).Scan(&t.ID)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, "token.create", fmt.Sprintf("token:%d", t.ID), map[string]any{
			"user": email, "name": t.Name, "scopes": t.Scopes, "expires_at": t.ExpiresAt,
		})
	})
}

// RevokeToken revokes one of a user's tokens. Revoking twice is harmless.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`),
			db.now().UnixMicro(), tokenID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return runway.Errorf(runway.ENOTFOUND, "there is no token %d of this user", tokenID)
		}
		return db.appendAudit(ctx, tx, "token.revoke", fmt.Sprintf("token:%d", tokenID), nil)
	})
}

// Authenticate finds the token a secret belongs to. Its use is recorded at
// most once per tokenUseEvery, with an audit entry.
func (db *DB) Authenticate(ctx context.Context, secret string) (*runway.User, *runway.Token, error) {
	denied := runway.Errorf(runway.EUNAUTHORIZED, "the token is unknown, revoked or expired: sign in again or create a new token")
	if !runway.LooksLikeToken(secret) {
		return nil, nil, denied
	}
	var t runway.Token
	var scopes string
	var created, expires int64
	var revoked, used sql.NullInt64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM tokens WHERE hash = ?`),
		runway.HashToken(secret)).Scan(&t.ID, &t.UserID, &t.Name, &scopes, &created, &expires, &revoked, &used)
	if err == sql.ErrNoRows {
		return nil, nil, denied
	} else if err != nil {
		return nil, nil, err
	}
	now := db.now()
	t.Scopes, t.CreatedAt, t.ExpiresAt = strings.Fields(scopes), time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC()
	if revoked.Valid || !now.Before(t.ExpiresAt) {
		return nil, nil, denied
	}
	if used.Valid {
		at := time.UnixMicro(used.Int64).UTC()
		t.LastUsedAt = &at
	}
	u, err := db.findUser(ctx, db.read, `u.id = ?`, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= tokenUseEvery {
		if err := db.recordTokenUse(runway.WithActor(ctx, "user:"+u.Email), t.ID, now); err != nil {
			return nil, nil, err
		}
		at := now.UTC().Truncate(time.Microsecond)
		t.LastUsedAt = &at
	}
	return u, &t, nil
}

func (db *DB) recordTokenUse(ctx context.Context, id int64, now time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE tokens SET last_used_at = ? WHERE id = ?`), now.UnixMicro(), id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, "token.use", fmt.Sprintf("token:%d", id), nil)
	})
}
