package runway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// FlagType is the type of every value a feature flag serves. An app asks
// for a flag by type (the OpenFeature SDKs have one call per type), so a
// flag's type never changes once it is created.
type FlagType string

// Flag types.
const (
	FlagBoolean FlagType = "boolean"
	FlagString  FlagType = "string"
	FlagNumber  FlagType = "number" // JSON numbers: apps read them as int or float
	FlagObject  FlagType = "object" // a JSON object
)

// FlagTypes lists the flag types.
var FlagTypes = []FlagType{FlagBoolean, FlagString, FlagNumber, FlagObject}

// Flag is a feature flag of one app in one environment: each environment
// has its own definition, so a flag can be on for everyone in staging and
// for 5% of people in production. A flag that is off (Enabled false, or
// killed) serves its OffVariant to everyone; a flag that is on serves the
// first rule that matches the evaluation context, else Default.
type Flag struct {
	ID          int64       `json:"id"`
	App         string      `json:"app"`
	Environment Environment `json:"environment"`
	Key         string      `json:"key"`
	Type        FlagType    `json:"type"`
	Description string      `json:"description,omitempty"`
	// Variants are the values the flag can serve, each with a name that
	// OFREP reports as the variant (and telemetry counts).
	Variants []FlagVariant `json:"variants"`
	// Enabled says whether the flag is on. Flags created in production
	// start off: they serve OffVariant until someone turns them on.
	Enabled bool `json:"enabled"`
	// OffVariant is what an off or killed flag serves.
	OffVariant string `json:"off_variant"`
	// Rules are tried in order; the first whose conditions all match
	// decides what is served.
	Rules []FlagRule `json:"rules,omitempty"`
	// Default is served when the flag is on and no rule matches.
	Default FlagServe `json:"default"`
	// Salt seeds percentage rollouts: a person's bucket is
	// Bucket(Salt, targetingKey), with the flag's Key when Salt is empty.
	// The key is the usual seed, so a person keeps their bucket across
	// environments; a new salt reshuffles everyone.
	Salt string `json:"salt,omitempty"`
	// Kill is set while the flag is off because someone pulled the kill
	// switch; turning the flag on again clears it.
	Kill *FlagKill `json:"kill,omitempty"`
	// Version counts changes, from 1; an update names the version it was
	// made from, so that two people editing at once cannot overwrite each
	// other.
	Version   int64     `json:"version"`
	UpdatedBy string    `json:"updated_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FlagVariant is one value a flag can serve. Value is JSON of the flag's
// type.
type FlagVariant struct {
	Name        string          `json:"name"`
	Value       json.RawMessage `json:"value"`
	Description string          `json:"description,omitempty"`
}

// FlagRule serves something to the evaluation contexts that match all of
// its conditions.
type FlagRule struct {
	// Name says what the rule is for ("beta testers"); OFREP reports it
	// in the evaluation's metadata.
	Name       string          `json:"name,omitempty"`
	Conditions []FlagCondition `json:"conditions"`
	Serve      FlagServe       `json:"serve"`
}

// FlagServe is what a rule or a flag's default serves: one variant, or a
// percentage rollout over variants.
type FlagServe struct {
	Variant string       `json:"variant,omitempty"`
	Rollout []FlagWeight `json:"rollout,omitempty"`
}

// FlagWeight gives a variant a share of a rollout, in buckets of Buckets
// (10,000): 2500 is 25%, 1 is a hundredth of a percent. A rollout's weights
// add up to Buckets. Buckets are handed out in the order of the weights, so
// growing the first variant's weight keeps everyone who had it.
type FlagWeight struct {
	Variant string `json:"variant"`
	Weight  int    `json:"weight"`
}

// FlagOp is how a condition compares a context attribute with its values.
type FlagOp string

// Condition operators. The attribute is read from the evaluation context
// ("targetingKey" is the context's targeting key); a missing attribute
// matches only the negative operators (not_equals, not_in, not_in_group).
const (
	OpEquals     FlagOp = "equals"      // equal to the one value
	OpNotEquals  FlagOp = "not_equals"  // not equal to the one value
	OpIn         FlagOp = "in"          // equal to one of the values
	OpNotIn      FlagOp = "not_in"      // equal to none of the values
	OpStartsWith FlagOp = "starts_with" // starts with one of the values
	OpEndsWith   FlagOp = "ends_with"   // ends with one of the values ("@example.com")
	OpContains   FlagOp = "contains"    // contains one of the values
	OpLT         FlagOp = "lt"          // a number less than the one value
	OpLTE        FlagOp = "lte"
	OpGT         FlagOp = "gt"
	OpGTE        FlagOp = "gte"
	OpSemverEq   FlagOp = "semver_eq" // a semantic version ("1.4.2", "v2.0.0-beta.1") equal to the one value
	OpSemverLT   FlagOp = "semver_lt"
	OpSemverLTE  FlagOp = "semver_lte"
	OpSemverGT   FlagOp = "semver_gt"
	OpSemverGTE  FlagOp = "semver_gte"
	OpInGroup    FlagOp = "in_group"     // the context belongs to one of the named groups (no attribute)
	OpNotInGroup FlagOp = "not_in_group" // the context belongs to none of the named groups
)

// FlagOps lists the condition operators.
var FlagOps = []FlagOp{OpEquals, OpNotEquals, OpIn, OpNotIn, OpStartsWith, OpEndsWith, OpContains,
	OpLT, OpLTE, OpGT, OpGTE, OpSemverEq, OpSemverLT, OpSemverLTE, OpSemverGT, OpSemverGTE, OpInGroup, OpNotInGroup}

// FlagCondition is one test on the evaluation context.
type FlagCondition struct {
	Attribute string   `json:"attribute,omitempty"`
	Op        FlagOp   `json:"op"`
	Values    []string `json:"values"`
}

// FlagGroup is a named set of people of one app, shared by the app's flags
// in every environment: the targeting keys listed, and everyone whose
// context matches all of Conditions (when there are any).
type FlagGroup struct {
	ID          int64           `json:"id"`
	App         string          `json:"app"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Keys        []string        `json:"keys,omitempty"`
	Conditions  []FlagCondition `json:"conditions,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// FlagKill records a pulled kill switch.
type FlagKill struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// FlagFilter narrows a list of flags. App is required; a zero Environment
// lists every environment.
type FlagFilter struct {
	App         string
	Environment Environment
}

// FlagSubject is the audit subject of a flag's changes; its history is
// the audit trail filtered on it.
func FlagSubject(app string, env Environment, key string) string {
	return "flag:" + app + "/" + string(env) + "/" + key
}

// FlagStore keeps feature flags and the groups they target. Every change
// is audited in the same transaction: "flag.create", "flag.update",
// "flag.kill", "flag.group.create", "flag.group.update".
type FlagStore interface {
	// CreateFlags adds flags, all or none, and sets their IDs, versions
	// (1) and times; ECONFLICT when one already exists in its app and
	// environment, ENOTFOUND when an app does not exist.
	CreateFlags(ctx context.Context, flags ...*Flag) error
	// UpdateFlag replaces a flag's definition (description, variants, on
	// or off, rules, default, salt) if its stored version is still
	// f.Version, and sets f's new version and times. Turning a flag on
	// clears its kill. ECONFLICT when someone changed it first, ENOTFOUND
	// when it does not exist.
	UpdateFlag(ctx context.Context, f *Flag) error
	// KillFlag turns a flag off whatever its version, recording who and
	// why; ENOTFOUND when it does not exist.
	KillFlag(ctx context.Context, app string, env Environment, key, reason string) (*Flag, error)
	// FindFlag returns one flag; ENOTFOUND when there is none.
	FindFlag(ctx context.Context, app string, env Environment, key string) (*Flag, error)
	// FindFlags lists an app's flags by environment and key.
	FindFlags(ctx context.Context, f FlagFilter) ([]*Flag, error)
	// SaveFlagGroup creates or replaces an app's group of that name and
	// sets its ID and times; ENOTFOUND when the app does not exist.
	SaveFlagGroup(ctx context.Context, g *FlagGroup) error
	// FindFlagGroups lists an app's groups by name.
	FindFlagGroups(ctx context.Context, app string) ([]*FlagGroup, error)
}

// FlagKey lets an app's code evaluate the app's flags in one environment
// over OFREP, and nothing else. Its secret is shown once, when it is
// created; the platform keeps only its SHA-256 (HashToken).
type FlagKey struct {
	ID          int64       `json:"id"`
	App         string      `json:"app"`
	Environment Environment `json:"environment"`
	Name        string      `json:"name"`
	// Hint is the start of the secret, so that people can tell keys apart.
	Hint      string     `json:"hint"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// FlagKeyPrefix starts every flag key secret. It differs from
// TokenPrefix: a flag key, which lives in an app's configuration, is never
// taken for an API token.
const FlagKeyPrefix = "rwf_"

// NewFlagKeySecret returns a new random flag key secret (256 bits).
func NewFlagKeySecret() string {
	var b [32]byte
	rand.Read(b[:])
	return FlagKeyPrefix + hex.EncodeToString(b[:])
}

// LooksLikeFlagKey reports whether s has the shape of a flag key secret.
func LooksLikeFlagKey(s string) bool {
	return strings.HasPrefix(s, FlagKeyPrefix) && len(s) == len(FlagKeyPrefix)+64 &&
		strings.Trim(s[len(FlagKeyPrefix):], "0123456789abcdef") == ""
}

// FlagKeyStore keeps flag keys. Every change is audited in the same
// transaction: "flag.key.create", "flag.key.revoke".
type FlagKeyStore interface {
	// CreateFlagKey stores a key, keeping only the hash of secret, and
	// sets its ID, hint and time; ENOTFOUND when the app does not exist.
	CreateFlagKey(ctx context.Context, k *FlagKey, secret string) error
	// RevokeFlagKey revokes one of an app's keys; ENOTFOUND when the app
	// has no such key.
	RevokeFlagKey(ctx context.Context, app string, id int64) error
	// FindFlagKeys lists an app's keys, revoked ones too, by ID.
	FindFlagKeys(ctx context.Context, app string) ([]*FlagKey, error)
	// AuthenticateFlagKey returns the key a secret belongs to;
	// EUNAUTHORIZED when it is unknown or revoked.
	AuthenticateFlagKey(ctx context.Context, secret string) (*FlagKey, error)
}
