package runway

import (
	"context"
	"fmt"
	"time"
)

// Deployment is one start of a candidate in an environment. A promotion
// creates it, queued; the deployer moves it through its states with
// durable jobs, and the runtime does the work.
type Deployment struct {
	ID              int64       `json:"id"`
	App             string      `json:"app"`
	Environment     Environment `json:"environment"`
	Candidate       int         `json:"candidate"`
	CandidateDigest string      `json:"candidate_digest"`
	PromotionID     int64       `json:"promotion_id,omitempty"`
	State           string      `json:"state"`
	BreakGlass      bool        `json:"break_glass,omitempty"`
	StartedBy       string      `json:"started_by"`
	CreatedAt       time.Time   `json:"created_at"`
	// Artifact is the digest of what was built.
	Artifact string `json:"artifact,omitempty"`
	// Stable is the version this one replaces ("" for the first).
	Stable string `json:"stable,omitempty"`
	// Step and Weight are the canary's step (0-based) and the share of
	// traffic, in percent, the new version gets.
	Step   int `json:"step"`
	Weight int `json:"weight"`
	// Reason says in plain words why it is in its state (a failure, a
	// rollback's evidence).
	Reason string `json:"reason,omitempty"`
	// Seq counts the deployment's transitions; a step job carries the Seq
	// it was made for, and a job whose Seq is stale does nothing.
	Seq       int       `json:"seq"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Version names the deployment's candidate as the runtime knows it.
func (d *Deployment) Version() string { return VersionOf(d.Candidate) }

// VersionOf names candidate n as a version: "c7".
func VersionOf(candidate int) string { return fmt.Sprintf("c%d", candidate) }

// Deployment states. A deployment goes queued → building → starting →
// smoke → (canary, in production) → live; or ends failed or rolled back.
// A live deployment becomes replaced when a newer one goes live.
const (
	DeploymentQueued     = "queued"
	DeploymentBuilding   = "building"
	DeploymentStarting   = "starting"
	DeploymentSmoke      = "smoke"
	DeploymentCanary     = "canary"
	DeploymentLive       = "live"
	DeploymentReplaced   = "replaced"
	DeploymentFailed     = "failed"
	DeploymentRolledBack = "rolled_back"
)

// DeploymentDone reports whether a deployment's state is final (live
// counts as done: nothing more happens to it until it is replaced).
func DeploymentDone(state string) bool {
	switch state {
	case DeploymentLive, DeploymentReplaced, DeploymentFailed, DeploymentRolledBack:
		return true
	}
	return false
}

// DeployStep is the durable job that moves a deployment on from the state
// it was in at Seq.
type DeployStep struct {
	Deployment int64     `json:"deployment"`
	Seq        int       `json:"seq"`
	RunAt      time.Time `json:"run_at,omitempty"`
}

// DeploymentTx is what a deployment change sees and leaves, inside one
// transaction that holds the app's lock.
type DeploymentTx struct {
	Now        time.Time
	Deployment *Deployment
	// Live is the app's live deployment in the same environment, other
	// than this one (nil when there is none); a change may mark it
	// replaced.
	Live *Deployment
	// Next, when set, is enqueued in the same transaction, for the new
	// Seq.
	Next    *DeployStep
	Events  []Event
	Notices []Notice
}

// DeploymentStore keeps deployments.
type DeploymentStore interface {
	// ChangeDeployment runs change in one transaction that locks the
	// deployment's app, and stores the deployment (Seq incremented when
	// its state changed), the live one, events, notices and the next step.
	ChangeDeployment(ctx context.Context, id int64, change func(tx *DeploymentTx) error) (*Deployment, error)
	// FindDeployment returns one deployment; ENOTFOUND when there is none.
	FindDeployment(ctx context.Context, id int64) (*Deployment, error)
	// FindDeployments lists an app's deployments, newest first.
	FindDeployments(ctx context.Context, app string, p Page) ([]*Deployment, error)
	// ActiveDeployments lists the deployments that are live or not done,
	// oldest first, for the deployer to resume after a restart.
	ActiveDeployments(ctx context.Context) ([]*Deployment, error)
}

// Runtime runs app versions. Every method is idempotent: called again
// after a crash, it finds what the first call did and finishes it, never
// doing it twice.
type Runtime interface {
	// Build makes the artifact of a candidate from its source archive and
	// returns its digest; the same source gives the same artifact.
	Build(ctx context.Context, app *App, d *Deployment, source []byte) (string, error)
	// Start runs the deployment's version in its environment (adopting it
	// when it already runs) and waits until it is healthy.
	Start(ctx context.Context, app *App, d *Deployment) error
	// Smoke runs the smoke checks against the version; an error says in
	// plain words what failed.
	Smoke(ctx context.Context, app *App, d *Deployment) error
	// Route sends weight percent of the environment's traffic to canary
	// and the rest to stable ("" when there is only one version).
	Route(ctx context.Context, app string, env Environment, stable, canary string, weight int) error
	// Stop stops a version and forgets it.
	Stop(ctx context.Context, app string, env Environment, version string) error
}
