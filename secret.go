package runway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"
)

// SecretRef names one app secret: the app, the environment it is for, and
// the NAME an integration declares in runway.yaml (`secret: SLACK_BOT_TOKEN`).
// An empty Env is the app's default for every environment; a value set for
// one environment wins over it there.
type SecretRef struct {
	App  string      `json:"app"`
	Env  Environment `json:"env,omitempty"`
	Name string      `json:"name"`
}

// String returns "app/env/NAME", with "*" for every environment. It names
// the secret in messages and audit subjects; it never holds a value.
func (r SecretRef) String() string {
	env := string(r.Env)
	if env == "" {
		env = "*"
	}
	return r.App + "/" + env + "/" + r.Name
}

// EnvLabel says which environments the secret is for, in words.
func (r SecretRef) EnvLabel() string {
	if r.Env == "" {
		return "every environment"
	}
	return string(r.Env)
}

var (
	secretNamePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	appNamePattern    = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// MaxSecretNameLength is the longest secret NAME runway.yaml accepts.
const MaxSecretNameLength = 128

// ValidSecretName reports whether name has the shape runway.yaml requires
// of a secret's NAME: capitals, digits and underscores, starting with a
// capital, at most 128 characters.
func ValidSecretName(name string) bool {
	return len(name) <= MaxSecretNameLength && secretNamePattern.MatchString(name)
}

// Validate returns an EINVALID error saying what is malformed: the app (a
// DNS label), the environment (empty or one of Environments) or the NAME
// (which the error does not quote).
// Backends rely on it: a valid ref is safe as a path.
func (r SecretRef) Validate() error {
	switch {
	case !appNamePattern.MatchString(r.App):
		return Errorf(EINVALID, "app name %q: use the app's name as in runway.yaml (lowercase letters, digits and dashes)", r.App)
	case r.Env != "" && !slices.Contains(Environments, r.Env):
		return Errorf(EINVALID, "environment %q: use one of %v, or none for every environment", r.Env, Environments)
	case !ValidSecretName(r.Name):
		// The name is not repeated: a value typed where the name belongs
		// must not be echoed.
		return Errorf(EINVALID, "that secret name is not valid (it is not repeated here, in case it is a value): use capitals, digits and underscores, starting with a capital (for example SLACK_BOT_TOKEN), at most %d characters", MaxSecretNameLength)
	}
	return nil
}

// SecretInfo describes an app secret without its value: what a list shows
// and what the audit trail records.
type SecretInfo struct {
	SecretRef
	Version   int       `json:"version"` // 1 when first set, one more at each set
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"` // the actor of the last set
}

// SealedSecret is an app secret as the database keeps it: the value sealed
// with AES-256-GCM under a data key of its own, and that data key sealed
// under a master key the database never holds. Both seals bind the
// secret's app, environment and name, so a row copied to another secret
// does not open.
type SealedSecret struct {
	SecretInfo
	KeyID      string // the master key that sealed WrappedKey
	WrappedKey []byte // the data key, sealed under the master key
	Ciphertext []byte // the value, sealed under the data key
}

// SecretValue is an app secret's value with its description, as a backend
// hands it to the secrets package. Printing, logging or encoding it shows
// the description and "[redacted]": only reading Value reveals the value.
type SecretValue struct {
	SecretInfo
	Value []byte
}

// Format prints the secret's name and version, never its value, whatever
// the verb.
func (v SecretValue) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "%s v%d [redacted]", v.SecretRef, v.Version)
}

// MarshalJSON encodes the description only.
func (v SecretValue) MarshalJSON() ([]byte, error) { return json.Marshal(v.SecretInfo) }

// LogValue logs the name and version only.
func (v SecretValue) LogValue() slog.Value {
	return slog.GroupValue(slog.String("secret", v.SecretRef.String()), slog.Int("version", v.Version))
}

// SecretStore keeps sealed app secrets (sqlstore). It never sees a value or
// a master key. Every change is audited in its transaction, with names,
// versions and key ids, never values.
type SecretStore interface {
	// PutSealedSecret stores s as the next version of its secret (version
	// 1 when new) and sets its Version, CreatedAt, UpdatedAt and UpdatedBy;
	// audited as "secret.set". ENOTFOUND when the app does not exist.
	PutSealedSecret(ctx context.Context, s *SealedSecret) error
	// DeleteSecret removes a secret; audited as "secret.delete". ENOTFOUND
	// when there is no such secret.
	DeleteSecret(ctx context.Context, ref SecretRef) error
	// FindSecrets describes an app's secrets, ordered by name and
	// environment; none when the app has none (or does not exist).
	FindSecrets(ctx context.Context, app string) ([]*SecretInfo, error)
	// FindSealedSecrets returns the stored secrets among refs; refs with no
	// secret are left out.
	FindSealedSecrets(ctx context.Context, refs []SecretRef) ([]*SealedSecret, error)
	// RewrapSecrets takes, in one transaction, up to limit secrets whose
	// data key is not sealed under keyID, lets rewrap set each one's KeyID
	// and WrappedKey (nothing else is stored), and stores them with one
	// "secret.rotate" audit entry. It returns how many it took: 0 means
	// none is left. An error from rewrap rolls the whole batch back.
	RewrapSecrets(ctx context.Context, keyID string, limit int, rewrap func(*SealedSecret) error) (int, error)
	// CountSecretKeys counts the secrets whose data key each master key
	// (by key id) seals.
	CountSecretKeys(ctx context.Context) (map[string]int, error)
}

// SecretBackend keeps app secrets' values: secrets.Envelope (AES-256-GCM
// envelope encryption over a SecretStore) or secrets/vault (HashiCorp
// Vault's KV version 2). Only the secrets package calls it, after checking
// names, sizes and who may receive what. Changes are audited with names and
// versions, never values; a change without an actor in the context is
// refused.
type SecretBackend interface {
	// PutSecret stores value as the next version of ref's secret.
	// ENOTFOUND when the app does not exist (where the backend can tell).
	PutSecret(ctx context.Context, ref SecretRef, value []byte) (*SecretInfo, error)
	// DeleteSecret removes ref's secret, every version. ENOTFOUND when
	// there is none.
	DeleteSecret(ctx context.Context, ref SecretRef) error
	// ListSecrets describes an app's secrets, never their values, ordered
	// by name and environment.
	ListSecrets(ctx context.Context, app string) ([]*SecretInfo, error)
	// GetSecrets returns the values of the refs that have one; the others
	// are left out of the map.
	GetSecrets(ctx context.Context, refs []SecretRef) (map[SecretRef]*SecretValue, error)
}
