package runway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Environment is where a candidate runs.
type Environment string

// Environments, least exposed first.
const (
	EnvSandbox    Environment = "sandbox"
	EnvStaging    Environment = "staging"
	EnvProduction Environment = "production"
)

// Environments lists the environments, least exposed first.
var Environments = []Environment{EnvSandbox, EnvStaging, EnvProduction}

// PromotionState is where a promotion request stands.
type PromotionState string

// Promotion states. Pending and scheduled are open; the rest are final.
const (
	// PromotionPending waits for approvals.
	PromotionPending PromotionState = "pending"
	// PromotionScheduled is approved and waits for the next release window.
	PromotionScheduled PromotionState = "scheduled"
	// PromotionStarted has started its deployment.
	PromotionStarted PromotionState = "started"
	// PromotionRejected was rejected by an approver, with a reason.
	PromotionRejected PromotionState = "rejected"
	// PromotionVoided was overtaken: a newer candidate, a changed policy
	// decision, or a newer request for the same environment.
	PromotionVoided PromotionState = "voided"
	// PromotionExpired was not decided in time.
	PromotionExpired PromotionState = "expired"
	// PromotionCancelled was withdrawn by the person who asked.
	PromotionCancelled PromotionState = "cancelled"
)

// Open reports whether the promotion may still change.
func (s PromotionState) Open() bool { return s == PromotionPending || s == PromotionScheduled }

// RequirementKind says what kind of sign-off a requirement asks for.
type RequirementKind string

// Requirement kinds.
const (
	// RequireApproval is a person's approval in a role.
	RequireApproval RequirementKind = "approval"
	// RequireSBOMSignoff is a security reviewer's sign-off on what changed
	// in the SBOM since the last production release (tier 3).
	RequireSBOMSignoff RequirementKind = "sbom-signoff"
	// RequireBreakGlass is a second person confirming an emergency
	// release that skips the other approvals and the release window.
	RequireBreakGlass RequirementKind = "break-glass"
)

// Requirement is one sign-off a promotion needs. Each person counts once:
// one person can meet one requirement of a promotion.
type Requirement struct {
	Kind RequirementKind `json:"kind"`
	// Role is who may meet it; Team names the team for team-scoped roles.
	Role Role   `json:"role"`
	Team string `json:"team,omitempty"`
	// Why says in plain words why it is needed.
	Why string `json:"why"`
	// Fallback is true when the role stands in for a team lead because the
	// team has no one else who could approve.
	Fallback bool `json:"fallback,omitempty"`
	// MetBy is the approval that meets it, when one does (computed).
	MetBy int64 `json:"met_by,omitempty"`
}

// Verdict is an approver's answer.
type Verdict string

// Verdicts.
const (
	Approve Verdict = "approve"
	Reject  Verdict = "reject"
)

// Approval is one person's answer to a promotion. It binds to what they
// saw: the candidate's digest, the policy decision's digest and, for an
// SBOM sign-off, the SBOM's digest. It counts only while all three are
// still current and it has not expired.
type Approval struct {
	ID          int64           `json:"id"`
	PromotionID int64           `json:"promotion_id"`
	By          string          `json:"by"` // "user:EMAIL"
	Kind        RequirementKind `json:"kind"`
	Role        Role            `json:"role"` // the role it was given in
	Verdict     Verdict         `json:"verdict"`
	Reason      string          `json:"reason,omitempty"`
	// Via is where it was given: web, cli, slack.
	Via             string     `json:"via"`
	CandidateDigest string     `json:"candidate_digest"`
	DecisionDigest  string     `json:"decision_digest"`
	SBOMDigest      string     `json:"sbom_digest,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	ExpiresAt       time.Time  `json:"expires_at"`
	VoidedAt        *time.Time `json:"voided_at,omitempty"`
	VoidReason      string     `json:"void_reason,omitempty"`
}

// Counts reports whether the approval still counts at now.
func (a *Approval) Counts(now time.Time) bool {
	return a.Verdict == Approve && a.VoidedAt == nil && now.Before(a.ExpiresAt)
}

// Promotion is a request to move one candidate of an app to staging or
// production, with what it needs and what it got.
type Promotion struct {
	ID          int64       `json:"id"`
	App         string      `json:"app"`
	Team        string      `json:"team"`
	Environment Environment `json:"environment"`
	Candidate   int         `json:"candidate"` // the candidate's number
	Tier        Tier        `json:"tier"`
	// The digests the approvals bind to.
	CandidateDigest string `json:"candidate_digest"`
	DecisionDigest  string `json:"decision_digest"`
	SBOMDigest      string `json:"sbom_digest,omitempty"`
	SubmittedBy     string `json:"submitted_by"`
	RequestedBy     string `json:"requested_by"`
	// Note is what the requester wrote; for a break-glass request, the
	// emergency.
	Note       string         `json:"note,omitempty"`
	BreakGlass bool           `json:"break_glass,omitempty"`
	State      PromotionState `json:"state"`
	// Requirements are the sign-offs needed, each with why.
	Requirements []Requirement `json:"requirements"`
	// Why says in plain words what the promotion needs and why, one
	// sentence per line.
	Why []string `json:"why"`
	// Outcome says in plain words how it ended or what it waits for.
	Outcome      string     `json:"outcome,omitempty"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	ExpiresAt    time.Time  `json:"expires_at"`
	CreatedAt    time.Time  `json:"created_at"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	// AutoApproved is true when nobody had to approve.
	AutoApproved bool `json:"auto_approved"`
	// RemindersSent counts the reminders sent to approvers.
	RemindersSent int `json:"reminders_sent"`
	// Deployment is the deployment the promotion started.
	Deployment int64      `json:"deployment,omitempty"`
	Approvals  []Approval `json:"approvals"`
}

// CandidateRef identifies an app's newest candidate.
type CandidateRef struct {
	Number int    `json:"number"`
	Digest string `json:"digest"`
}

// Event is an audit entry a change asks the store to append in its
// transaction.
type Event struct {
	Action  string
	Subject string
	Data    map[string]any
}

// PromotionTx is what a promotion change sees and changes, inside one
// transaction that holds the app's lock: no candidate can be submitted and
// no other change can touch the app's promotions until it commits.
type PromotionTx struct {
	// Now is the transaction's time.
	Now time.Time
	// Latest is the app's newest candidate.
	Latest CandidateRef
	// LastProduction is the candidate of the app's newest production
	// deployment (Number 0 when there is none).
	LastProduction CandidateRef
	// Promotion is the promotion being changed, nil when none was named. A
	// change may set it to a new promotion (ID 0) to create it.
	Promotion *Promotion
	// Open are the app's other open promotions; a change may void them.
	Open []*Promotion
	// Deployment, when a change sets it, is created and linked to
	// Promotion.
	Deployment *Deployment
	// Events are appended to the audit trail; Notices are sent after the
	// commit (through the outbox, so none is lost).
	Events  []Event
	Notices []Notice
}

// PromotionFilter narrows a list of promotions. Zero fields do not filter.
type PromotionFilter struct {
	App         string
	Environment Environment
	States      []PromotionState
	// Team limits the list to promotions of these teams' apps (nil: all).
	Teams []string
	Page
}

// PromotionStore keeps promotion requests, their approvals and the
// deployments they start.
type PromotionStore interface {
	// ChangePromotion runs change in one transaction that locks app; id
	// names the promotion to load (0: none). What change leaves in tx is
	// stored: the promotion (created when its ID is 0), every promotion in
	// tx.Open, new approvals (ID 0) and voided ones, the deployment, audit
	// entries and notices. An error from change rolls everything back and
	// is returned. ENOTFOUND when the app or the promotion does not exist.
	ChangePromotion(ctx context.Context, app string, id int64, change func(tx *PromotionTx) error) (*Promotion, error)
	// FindPromotion returns a promotion with its approvals.
	FindPromotion(ctx context.Context, id int64) (*Promotion, error)
	// FindPromotions lists promotions matching the filter, newest first,
	// with their approvals.
	FindPromotions(ctx context.Context, f PromotionFilter) ([]*Promotion, error)
	// DuePromotions returns the IDs of open promotions that need the
	// sweeper at now: scheduled ones whose time came, expired ones, and
	// pending ones within remindBefore of expiring that were not reminded.
	DuePromotions(ctx context.Context, now time.Time, remindBefore time.Duration) ([]DuePromotion, error)
	// FindDeployments lists an app's deployments, newest first.
	FindDeployments(ctx context.Context, app string, p Page) ([]*Deployment, error)
}

// DuePromotion names a promotion the sweeper must look at.
type DuePromotion struct {
	ID  int64
	App string
}

// ApprovalRule is one approval a policy requires, with its reason.
type ApprovalRule struct {
	Role   Role   `json:"role"`
	Reason string `json:"reason"`
}

// PolicyVerdict is the policy decision for one candidate in one
// environment.
type PolicyVerdict struct {
	Decision  Decision       `json:"decision"`
	Tier      Tier           `json:"tier"`
	Reasons   []string       `json:"reasons"` // why the tier
	Approvals []ApprovalRule `json:"approvals"`
	Denies    []string       `json:"denies"`
}

// Digest identifies the verdict: approvals given on one verdict do not
// count for another. The order of lists does not matter.
func (v *PolicyVerdict) Digest() string {
	c := *v
	c.Reasons = sorted(v.Reasons)
	c.Denies = sorted(v.Denies)
	c.Approvals = slices.Clone(v.Approvals)
	slices.SortFunc(c.Approvals, func(a, b ApprovalRule) int {
		if a.Role != b.Role {
			return compare(string(a.Role), string(b.Role))
		}
		return compare(a.Reason, b.Reason)
	})
	data, _ := json.Marshal(c)
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// EnvironmentDecider decides a candidate's report for an environment with
// the server's policies. It must fail closed.
type EnvironmentDecider interface {
	DecideFor(ctx context.Context, env Environment, ws *Workspace, r *Report) (*PolicyVerdict, error)
}

// SBOMDigest identifies an SBOM document.
func SBOMDigest(doc []byte) string {
	if len(doc) == 0 {
		return ""
	}
	sum := sha256.Sum256(doc)
	return "sha256:" + hex.EncodeToString(sum[:])
}
