package runway

import (
	"context"
	"time"
)

// GrantState is where a request for elevated access stands.
type GrantState string

// Grant states.
const (
	GrantRequested GrantState = "requested"
	GrantActive    GrantState = "active"
	GrantRejected  GrantState = "rejected"
	GrantExpired   GrantState = "expired"
	GrantRevoked   GrantState = "revoked"
)

// AccessGrant is time-limited elevated access: a role (on a team, for
// team-scoped roles) for a few hours, asked for with a reason and approved
// by someone else. While active and unexpired, the role is added to the
// user's grants.
type AccessGrant struct {
	ID     int64  `json:"id"`
	User   string `json:"user"` // "user:EMAIL"
	Role   Role   `json:"role"`
	Team   string `json:"team,omitempty"`
	App    string `json:"app,omitempty"` // the app it was asked for, when one was named
	Reason string `json:"reason"`
	// Duration is how long it lasts once approved.
	Duration  time.Duration `json:"duration"`
	State     GrantState    `json:"state"`
	DecidedBy string        `json:"decided_by,omitempty"`
	Note      string        `json:"note,omitempty"` // the decider's reason
	CreatedAt time.Time     `json:"created_at"`
	DecidedAt *time.Time    `json:"decided_at,omitempty"`
	ExpiresAt *time.Time    `json:"expires_at,omitempty"`
}

// GrantTx is what a grant change sees and leaves, in one transaction.
type GrantTx struct {
	Grant   *AccessGrant
	Now     time.Time
	Events  []Event
	Notices []Notice
}

// GrantFilter narrows a list of grants. Zero fields do not filter.
type GrantFilter struct {
	User   string
	States []GrantState
	Page
}

// GrantStore keeps elevated-access requests. Every change is audited in
// the same transaction.
type GrantStore interface {
	// CreateGrant records a request and queues the notices (their AccessID
	// is set to the new grant's); ENOTFOUND when the user or team does not
	// exist.
	CreateGrant(ctx context.Context, g *AccessGrant, notices ...Notice) error
	// ChangeGrant runs change on the grant inside one transaction and
	// stores its state, decider, note and times, the events and the
	// notices change leaves in tx.
	ChangeGrant(ctx context.Context, id int64, change func(tx *GrantTx) error) (*AccessGrant, error)
	// FindGrant returns one grant; ENOTFOUND when there is none.
	FindGrant(ctx context.Context, id int64) (*AccessGrant, error)
	// FindGrants lists grants, newest first.
	FindGrants(ctx context.Context, f GrantFilter) ([]*AccessGrant, error)
	// DueGrants returns active grants whose time ran out at now.
	DueGrants(ctx context.Context, now time.Time) ([]int64, error)
}
