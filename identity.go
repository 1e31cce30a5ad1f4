package runway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// User is a person (or a robot account) known to the platform.
type User struct {
	ID        int64       `json:"id"`
	Email     string      `json:"email"`
	Name      string      `json:"name"`
	Grants    []RoleGrant `json:"grants"`
	CreatedAt time.Time   `json:"created_at"`
}

// RoleGrant gives a user a role. Team-scoped roles (developer, team-lead)
// name their team; organisation roles (security, platform, admin) do not.
type RoleGrant struct {
	Role Role   `json:"role"`
	Team string `json:"team,omitempty"`
}

// TeamScoped reports whether a role is held per team.
func (r Role) TeamScoped() bool { return r == RoleDeveloper || r == RoleTeamLead }

// Token is an API token. Its secret is shown once, when it is created;
// the platform keeps only its SHA-256.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"` // empty: everything the user may do
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// TokenPrefix starts every token secret, so that secret scanners and
// people recognise one.
const TokenPrefix = "rwy_"

// NewTokenSecret returns a new random token secret (256 bits).
func NewTokenSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return TokenPrefix + hex.EncodeToString(b[:])
}

// HashToken returns what the platform stores of a token secret. A fast
// hash is right here: the secret has 256 random bits, nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// AuditRecorder records security events that change no stored state
// (a sign-in, a refused sign-in) in the audit trail.
type AuditRecorder interface {
	// RecordEvent appends an audit entry; data must never hold a secret.
	RecordEvent(ctx context.Context, action, subject string, data any) error
}

// LooksLikeToken reports whether s has the shape of a token secret.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+64 &&
		strings.Trim(s[len(TokenPrefix):], "0123456789abcdef") == ""
}

// UserStore keeps users, their roles and their tokens. Every change is
// audited in the same transaction.
type UserStore interface {
	// CreateUser adds a user with their grants; ECONFLICT when the email is
	// taken, ENOTFOUND when a granted team does not exist, EINVALID for a
	// bad email or grant.
	CreateUser(ctx context.Context, u *User) error
	// FindUser returns a user by email; ENOTFOUND when there is none.
	FindUser(ctx context.Context, email string) (*User, error)
	// SyncUser makes the stored user match u, as an identity provider
	// describes them at sign-in: it creates the user, or updates their name
	// and replaces their grants. It sets u's ID and creation time.
	// ENOTFOUND when a granted team does not exist.
	SyncUser(ctx context.Context, u *User) error
	// FindUsersWithRole lists the users holding role (on team, for a
	// team-scoped role), including active elevated access, by email.
	FindUsersWithRole(ctx context.Context, role Role, team string) ([]*User, error)
	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)
	// CreateToken stores a token for the user, keeping only the hash of
	// secret; ENOTFOUND when the user does not exist.
	CreateToken(ctx context.Context, t *Token, secret string) error
	// RevokeToken revokes a token of the user; ENOTFOUND when the user has
	// no such token.
	RevokeToken(ctx context.Context, userID, tokenID int64) error
	// Authenticate returns the user and token a secret belongs to and
	// records its use; EUNAUTHORIZED when the secret is unknown, revoked or
	// expired.
	Authenticate(ctx context.Context, secret string) (*User, *Token, error)
}
